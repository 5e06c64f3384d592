#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nats_server.hpp"

struct __natsConnection;
struct __jsCtx;

namespace ccm::testing {

// A message as a JetStream stream stored it.
struct StoredMessage {
  std::string subject;
  std::map<std::string, std::string> headers;  // NATS keeps no header order
  std::string payload;
};

// The test's own libnats client of a NatsServer (with the server's client
// credentials and TLS files): sets streams up and reads what they stored.
// Throws std::runtime_error with libnats's error text when a call fails.
class JetStreamClient {
public:
  explicit JetStreamClient(const NatsServer& server);
  ~JetStreamClient();
  JetStreamClient(const JetStreamClient&) = delete;
  JetStreamClient& operator=(const JetStreamClient&) = delete;

  // A file stream `name` storing `subjects`; max_msg_size -1 is no limit.
  void addStream(const std::string& name, const std::vector<std::string>& subjects, std::int32_t max_msg_size = -1);
  // Every message `stream` holds, by sequence.
  std::vector<StoredMessage> messages(const std::string& stream);

private:
  __natsConnection* nc_ = nullptr;
  __jsCtx* js_ = nullptr;
};

}  // namespace ccm::testing
