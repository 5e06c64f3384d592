#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

namespace ccm::fakes {

// The Event Grid resource events are published to.
struct EventGridTopic {
  enum class Type { Custom, Namespace };
  Type type = Type::Custom;
  std::string name = "lab-events";  // the namespace topic's name
  // The access key (base64, as Azure issues it): accepted as such, and the key
  // SAS tokens are verified with.
  std::string access_key = "ZmFrZS1ldmVudC1ncmlkLWFjY2Vzcy1rZXktMzJieXQ=";
  // Decides on a bearer token (Microsoft Entra ID); unset, bearer tokens are refused.
  std::function<bool(const std::string& token)> accept_bearer{};
};

// Azure Event Grid on 127.0.0.1 for tests. Checks each request the way the
// service does, in this order, answering with Azure-shaped error bodies
// ({"error": {"code", "message"}}):
// - POST to /api/events?api-version=2018-01-01 (custom topic) or to
//   /topics/{name}:publish?api-version=2023-11-01 (namespace topic): 404, 400;
// - authentication, 401: the access key (aeg-sas-key for a custom topic,
//   "Authorization: SharedAccessKey <key>" for a namespace topic), a SAS token
//   in aeg-sas-token (the signature recomputed from the key, the resource and
//   the expiry checked against the fake's clock) or an accepted bearer token;
// - Content-Type application/cloudevents-batch+json, 400;
// - at most 1 MB (1,048,576 bytes) a request and a serialized event, 413;
//   at most 5,000 events (custom) or 1,000 (namespace), 400;
// - a JSON array of valid CloudEvents, 400.
// A request that passes gets the next scripted reply, or 200 with an empty
// body (custom) or "{}" (namespace). Thread-safe.
class EventGridFake {
public:
  explicit EventGridFake(EventGridTopic topic = {});

  // What the sink's "endpoint" is set to: "http://127.0.0.1:<port>".
  std::string endpoint() const;
  // What a SAS token must name: endpoint + "/api/events" or "/topics/{name}".
  std::string resource() const;
  // The reply for the next request that passes every check.
  void script(Reply reply);
  // The clock SAS token expiry is checked against.
  FakeClock& clock() { return clock_; }

  std::vector<ReceivedRequest> requests() const;
  // The events of each request answered with success, in order.
  std::vector<std::vector<sdk::CloudEvent>> published() const;

  // An error reply as Azure shapes it.
  static Reply azureError(int status, const std::string& code, const std::string& message, Headers headers = {});

private:
  Reply answer(ReceivedRequest request);
  Reply check(const ReceivedRequest& request, std::vector<sdk::CloudEvent>& events) const;
  std::optional<std::string> authenticationError(const ReceivedRequest& request) const;
  std::optional<std::string> sasTokenError(const std::string& token) const;

  const EventGridTopic topic_;
  mutable std::mutex mutex_;
  FakeClock clock_;
  std::deque<Reply> script_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::vector<sdk::CloudEvent>> published_;
  LoopbackHttpServer server_;  // last: stops before the state it uses goes
};

}  // namespace ccm::fakes
