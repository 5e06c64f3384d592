#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "ccm/sdk/host.hpp"
#include "ccm/sdk/sink.hpp"
#include "kafka_message.hpp"
#include "kafka_sink_config.hpp"

struct rd_kafka_s;
struct rd_kafka_message_s;

namespace ccm::sinks::kafka {

// One idempotent librdkafka producer and the thread that serves its delivery
// reports, for as long as the object lives. After a fatal error of the
// idempotent producer (librdkafka then refuses to produce) that thread makes
// a new producer: messages still waiting for a report are retryable, and the
// next ones go to the new producer. Producing and waiting are safe from any
// number of threads; librdkafka's callbacks only record results under the
// object's mutex.
class KafkaProducer {
public:
  using MessageId = std::uint64_t;

  // Throws std::invalid_argument when librdkafka refuses the settings.
  KafkaProducer(ProducerSettings settings, sdk::Host& host);
  // Stops the report thread and destroys the producer; messages not yet
  // delivered are dropped (their deliver() calls have returned).
  ~KafkaProducer();
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  // Hands `message` to librdkafka and returns the id its delivery report
  // will carry, or the outcome when librdkafka refuses it at once (too
  // large: permanent; its queue full, a fatal error: retryable).
  std::variant<MessageId, sdk::Outcome> produce(const KafkaMessage& message);
  // Blocks until one of `ids` has its delivery report or `deadline` passes;
  // returns those that have one and forgets them.
  std::vector<std::pair<MessageId, sdk::Outcome>> awaitAny(std::span<const MessageId> ids,
                                                           std::chrono::steady_clock::time_point deadline);
  // Forgets `ids`: a delivery report that arrives for them later is ignored.
  void abandon(std::span<const MessageId> ids);

private:
  struct HandleDeleter {
    void operator()(rd_kafka_s* handle) const;
  };
  using Handle = std::unique_ptr<rd_kafka_s, HandleDeleter>;

  Handle create();
  void run();
  void replaceAfterFatalError();

  static void onDelivery(rd_kafka_s*, const rd_kafka_message_s* message, void* self);
  static void onError(rd_kafka_s*, int error, const char* reason, void* self);
  static void onLog(const rd_kafka_s* handle, int level, const char* facility, const char* text);

  const ProducerSettings settings_;
  sdk::Logger& logger_;

  // produce() holds it shared; the report thread holds it exclusively to
  // replace the producer.
  std::shared_mutex handle_mutex_;
  Handle handle_;

  std::mutex mutex_;
  std::condition_variable reported_;
  bool stopping_ = false;
  bool fatal_ = false;      // librdkafka raised a fatal error; replace the producer
  std::string last_error_;  // the client's last error, for retryable outcomes
  MessageId next_id_ = 1;
  // Produced and not yet forgotten; an outcome once it has one.
  std::unordered_map<MessageId, std::optional<sdk::Outcome>> pending_;

  std::thread reporter_;
};

}  // namespace ccm::sinks::kafka
