#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

namespace ccm::fakes {

// The AWS account and region the fake serves, and the credentials it knows.
struct AwsAccount {
  std::string region = "eu-west-1";
  std::string access_key_id = "AKIDEXAMPLE";
  std::string secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  std::string session_token{};  // set: requests must carry it in X-Amz-Security-Token
};

// One entry's result in a scripted PutEvents answer.
struct EntryFailure {
  std::string code;  // ErrorCode, e.g. "ThrottlingException"
  std::string message;
};
using EntryResults = std::vector<std::optional<EntryFailure>>;  // nullopt: the entry is put

// Amazon EventBridge's PutEvents on 127.0.0.1 for tests. Checks each request
// the way AWS does, in this order, answering JSON-protocol errors
// ({"__type": "...", "message": "..."}):
// - the SigV4 Authorization header: present (400
//   MissingAuthenticationTokenException), well formed and signing host and
//   x-amz-date (400 IncompleteSignatureException), dated within five minutes
//   of the fake's clock and scoped to its region and "events" (400
//   InvalidSignatureException), for a known access key and session token (403
//   UnrecognizedClientException), with the signature AWS recomputes from the
//   request and its own copy of the secret (403 InvalidSignatureException,
//   naming the canonical request and string to sign it expected);
// - X-Amz-Target AWSEvents.PutEvents (400 UnknownOperationException) and
//   Content-Type application/x-amz-json-1.1 (400 SerializationException);
// - 1 to 10 entries totalling at most 256 KB as AWS counts entry size (400
//   ValidationException).
// A request that passes gets the next scripted answer, or every entry put
// (200 with an EventId each); an entry whose Detail is not a JSON object
// fails alone with MalformedDetail. Thread-safe.
class EventBridgeFake {
public:
  explicit EventBridgeFake(AwsAccount account = {});

  // What the sink's "endpoint" is set to: "http://127.0.0.1:<port>/".
  std::string endpoint() const;
  // Replaces the credentials the fake knows, as after a key rotation.
  void setAccount(AwsAccount account);
  // The clock X-Amz-Date is checked against.
  FakeClock& clock() { return clock_; }
  // The answer to the next request that passes every check: a whole reply
  // (e.g. a throttling error), or one result per entry by position.
  void script(Reply reply);
  void script(EntryResults results);

  std::vector<ReceivedRequest> requests() const;
  // Every entry put so far, as the JSON object it arrived as.
  std::vector<std::string> putEntries() const;

  // An error reply as the AWS JSON protocols shape it.
  static Reply awsError(int status, const std::string& type, const std::string& message);

private:
  Reply answer(ReceivedRequest request);
  std::optional<Reply> signatureError(const ReceivedRequest& request) const;
  std::optional<Reply> putEventsError(const ReceivedRequest& request) const;
  Reply putEvents(const ReceivedRequest& request, const EntryResults& scripted);

  mutable std::mutex mutex_;
  AwsAccount account_;
  FakeClock clock_;
  std::deque<std::variant<Reply, EntryResults>> script_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::string> put_entries_;
  LoopbackHttpServer server_;  // last: stops before the state it uses goes
};

}  // namespace ccm::fakes
