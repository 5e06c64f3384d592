#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fakes/cloudevents_receiver.hpp"
#include "fakes/loopback_http_server.hpp"

namespace ccm::fakes {

// The Google Cloud project, topic and service account the fake serves.
struct GoogleProject {
  std::string project = "ccm-labs";
  std::string topic = "lab-events";
  std::string client_email = "ccm-gateway@ccm-labs.iam.gserviceaccount.com";
  std::string private_key_id = "5d3b8c0f9e2a4b7c8d1e6f0a3b9c2d4e5f6a7b8c";
  std::chrono::seconds expires_in{3599};  // of every token granted
};

// One message as Pub/Sub stored it: data base64-decoded.
struct PublishedMessage {
  std::string data;
  std::map<std::string, std::string> attributes;
  std::string ordering_key;

  friend bool operator==(const PublishedMessage&, const PublishedMessage&) = default;
};

// A service account key file's JSON as the Google Cloud console downloads it.
std::string serviceAccountKeyJson(const GoogleProject& project, const std::string& private_key_pem,
                                  const std::string& token_uri);

// Google Cloud Pub/Sub on 127.0.0.1 for tests, with the two places its
// clients get access tokens from. One loopback server answers:
// - POST /token: Google's OAuth 2.0 token endpoint for a service account's
//   JWT bearer grant. As Google does, it checks the form content type,
//   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer, and the assertion:
//   header {"alg":"RS256","typ":"JWT","kid":<the key's private_key_id>}, an
//   RS256 signature that verifies with the key's public half (Poco::JWT),
//   claims exactly iss (the client_email), scope (including the Pub/Sub
//   scope), aud (this token URI), iat and exp, with exp - iat at most an hour,
//   iat not in the future and exp not past (by the fake's clock), answering
//   RFC 6749 errors (invalid_grant, ...) otherwise.
// - GET /computeMetadata/v1/instance/service-accounts/default/token: the
//   metadata server, which needs "Metadata-Flavor: Google" (403 without).
// - POST /v1/projects/{project}/topics/{topic}:publish: checks a Bearer
//   token it granted and that has not expired or been revoked (401
//   UNAUTHENTICATED; not in emulator mode, which takes none), the topic (404
//   NOT_FOUND), a JSON body of at most 10 MiB with 1 to 1000 messages and no
//   unknown fields, each with base64 data or attributes, at most 100
//   attributes of keys up to 256 and values up to 1024 bytes, an orderingKey
//   up to 1024 bytes and the same in every message, 10,000,000 bytes in all
//   (400 INVALID_ARGUMENT). A request that passes gets the next scripted
//   reply, or 200 {"messageIds":[...]}, and its messages are stored.
// Errors are google.rpc.Status JSON as Google's REST APIs send them. Thread-safe.
class PubSubFake {
public:
  explicit PubSubFake(GoogleProject project = {});

  // What the sink's "endpoint" is set to: "http://127.0.0.1:<port>".
  std::string endpoint() const;
  // "127.0.0.1:<port>", for GCE_METADATA_HOST and PUBSUB_EMULATOR_HOST.
  std::string hostAndPort() const;
  std::string tokenUri() const;
  // The service account key file (JSON) whose token_uri is this fake's.
  std::string serviceAccountKey() const;
  const GoogleProject& project() const { return project_; }

  // The clock tokens and assertions are checked against.
  FakeClock& clock() { return clock_; }
  // Accept publish requests without credentials, as the emulator does.
  void setEmulator(bool emulator);
  // Tokens granted so far are refused from now on, as after a revocation.
  void revokeTokens();
  // The answer to the next publish request that passes every check.
  void scriptPublish(Reply reply);
  // The answer to the next token request (key or metadata server), instead of checking it.
  void scriptToken(Reply reply);

  std::vector<ReceivedRequest> publishRequests() const;
  std::vector<ReceivedRequest> tokenRequests() const;     // POST /token
  std::vector<ReceivedRequest> metadataRequests() const;  // the metadata server
  std::vector<std::string> issuedTokens() const;
  std::vector<PublishedMessage> published() const;

  // An error reply as Google's REST APIs shape it: {"error":{"code","message","status"}}.
  static Reply rpcError(int code, const std::string& status, const std::string& message, Headers headers = {});

private:
  struct Grant {
    std::string token;
    std::chrono::system_clock::time_point expires;
    bool revoked = false;
  };

  Reply answer(ReceivedRequest request);
  Reply tokenGrant(const ReceivedRequest& request);
  Reply metadataGrant(const ReceivedRequest& request);
  std::optional<Reply> assertionError(const std::string& assertion) const;
  Reply grant();
  Reply publish(const ReceivedRequest& request);
  bool authorized(const ReceivedRequest& request) const;

  const GoogleProject project_;
  mutable std::mutex mutex_;
  FakeClock clock_;
  bool emulator_ = false;
  std::deque<Reply> publish_script_;
  std::deque<Reply> token_script_;
  std::vector<ReceivedRequest> publish_requests_;
  std::vector<ReceivedRequest> token_requests_;
  std::vector<ReceivedRequest> metadata_requests_;
  std::vector<Grant> grants_;
  std::vector<PublishedMessage> published_;
  LoopbackHttpServer server_;  // last: stops before the state it uses goes
};

}  // namespace ccm::fakes
