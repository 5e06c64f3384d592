#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/keycloak_fake.hpp"
#include "fakes/loopback_http_server.hpp"

// The Assessment Platform's API on 127.0.0.1 for tests: a real Poco HTTP
// server that accepts only calls bearing a token the given KeycloakFake issued
// (signature, issuer and exp checked) and bodies of the documented shape.
namespace ccm::fakes {

// One call as it arrived and how it was answered.
struct PlatformCall {
  ReceivedRequest request;
  int status = 0;
  std::string client_id;  // the token's azp; empty when the token was not checked or not valid
  bool replayed = false;  // answered from an earlier call with the same Idempotency-Key
};

// Routes, both POST with Content-Type application/json:
//   /api/v1/collections                        {"session_id", "cml_lab_id", "worker_hostname"} -> 202
//   /api/v1/sessions/{session}/parts/{part}/pod {"pod": <Pod>}                                  -> 200
// The Pod is validated against config/schemas/pod.schema.json. Answers 401
// (WWW-Authenticate: Bearer error="invalid_token") to a missing or bad token,
// 404/405/415 to a wrong path, method or content type and 422 to a body of
// the wrong shape. A call with an Idempotency-Key (IETF draft
// httpapi-idempotency-key-header) already answered with 2xx gets that answer
// again and changes nothing; the same key with another body is 422. Scripted replies (401 once, 503 three times, a slow or
// dropped answer) take the place of the next calls before any check.
// Thread-safe.
class AssessmentPlatformFake {
public:
  AssessmentPlatformFake(const KeycloakFake& keycloak, const std::string& pod_schema_file);
  ~AssessmentPlatformFake();
  AssessmentPlatformFake(const AssessmentPlatformFake&) = delete;
  AssessmentPlatformFake& operator=(const AssessmentPlatformFake&) = delete;

  std::uint16_t port() const { return server_->port(); }
  // "http://127.0.0.1:<port>", the client's base_url.
  std::string baseUrl() const;

  // Answers from now on go out this long after the call was processed (as a
  // platform that did the work but whose answer is slow to arrive).
  void setAnswerDelay(std::chrono::milliseconds delay);
  // Collections started (calls answered 202, not counting replays).
  int collectionsTriggered() const;

  void script(Reply reply);
  void scriptTimes(int count, const Reply& reply);

  // Waits until `count` calls have arrived or the timeout passes; true if they did.
  bool waitForCalls(std::size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;
  std::vector<PlatformCall> calls() const;

private:
  struct PodSchema;

  Reply handle(ReceivedRequest request);
  Reply answer(const ReceivedRequest& request, std::string& client_id, bool& replayed);
  Reply collection(const std::string& body);
  Reply podAssignment(const std::string& session, const std::string& part, const std::string& body);

  const KeycloakFake& keycloak_;
  std::unique_ptr<PodSchema> pod_schema_;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<Reply> script_;
  std::vector<PlatformCall> calls_;
  int collections_ = 0;
  std::chrono::milliseconds answer_delay_{0};
  struct Remembered {
    std::string target;
    std::string body;
    Reply reply;
  };
  std::map<std::string, Remembered> idempotent_;  // by Idempotency-Key
  std::unique_ptr<LoopbackHttpServer> server_;  // last: stops before the state it serves
};

}  // namespace ccm::fakes
