// The real ccm-gateway with server.auth (docs/security.md): OIDC tokens from
// a fake issuer on 127.0.0.1 (discovery + JWKS, keys made and tokens signed
// in the test), API keys known by their SHA-256, the route x role matrix,
// audit lines, a jwt ingress source, and the refusal to listen beyond
// loopback without auth.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <strings.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "child_process.hpp"
#include "fakes/oidc_issuer_fake.hpp"
#include "http_call.hpp"
#include "support/jwt_signer.hpp"

namespace {

namespace fs = std::filesystem;
using ccm::fakes::OidcIssuerFake;
using ccm::testing::ChildProcess;
using ccm::testing::httpCall;
using ccm::testing::HttpCallExtras;
using ccm::testing::HttpReply;
using ccm::testing::runCommand;
using ccm::testing::TestSigningKey;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kGateway = CCM_GATEWAY_EXECUTABLE;
const std::string kPluginDir = CCM_PLUGIN_OUTPUT_DIR;
const std::string kAudience = "ccm-gateway";
const std::string kCiKey = "ci-key-1";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// As docs/security.md tells operators to make it.
std::string sha256Hex(const std::string& text) {
  const auto result = runCommand({"/bin/sh", "-c", "printf %s \"$KEY\" | sha256sum"}, {"KEY=" + text});
  return result.out.substr(0, 64);
}

class ApiAuth : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccm-auth-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    issuer_.publish(ccm::testing::jwksOf({&rsa_, &ec_}));
  }
  void TearDown() override {
    gateway_.reset();
    fs::remove_all(dir_);
  }

  // A token from the fake issuer: `roles` under realm_access.roles, valid
  // for five minutes; `claims` ("name": JSON value) replace or add members.
  std::string token(const std::vector<std::string>& roles, const std::map<std::string, std::string>& claims = {},
                    const std::string& alg = "RS256", const TestSigningKey* key = nullptr) {
    std::string list;
    for (const auto& role : roles) list += (list.empty() ? "\"" : ",\"") + role + "\"";
    const auto t = now();
    std::map<std::string, std::string> members = {{"iss", "\"" + issuer_.issuer() + "\""},
                                                  {"aud", "[\"" + kAudience + "\",\"account\"]"},
                                                  {"sub", "\"u-1\""},
                                                  {"preferred_username", "\"alice\""},
                                                  {"iat", std::to_string(t)},
                                                  {"exp", std::to_string(t + 300)},
                                                  {"realm_access", "{\"roles\":[" + list + "]}"}};
    for (const auto& [name, value] : claims) members[name] = value;
    std::string payload;
    for (const auto& [name, value] : members) payload += (payload.empty() ? "{\"" : ",\"") + name + "\":" + value;
    return (key ? key : &rsa_)->sign(payload + "}", alg);
  }

  std::string writeConfig(const std::string& server_extra = "", const std::string& rest = "") {
    const auto file = dir_ / "gateway.json";
    std::ofstream(file) << R"({
  "server": {"host": "127.0.0.1", "port": 0, "auth": {
    "oidc": {"issuer": ")"
                        << issuer_.issuer() << R"(", "audience": ")" << kAudience << R"("},
    "role_names": {"viewer": "ccm-viewer", "operator": "ccm-operator", "admin": "ccm-admin"},
    "api_keys": [{"name": "ci-bot", "key_sha256": "env:CCM_CI_KEY_SHA256", "roles": ["operator"]}]
  })" << server_extra << R"(},
  "plugins": {"directories": [")"
                        << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")"
                        << (dir_ / "gw.db").string() << R"("}},
  "sinks": [])" << rest << R"(
})";
    return file.string();
  }

  void start(const std::string& config) {
    gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", config},
                                              std::vector<std::string>{"CCM_CI_KEY_SHA256=" + sha256Hex(kCiKey)});
    const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
    ASSERT_TRUE(port) << gateway_->stderrText();
    port_ = *port;
    // The keys are fetched on a thread of their own: wait for them.
    ASSERT_TRUE(loggedOrAwait("OIDC keys fetched")) << gateway_->stderrText();
  }

  // The key-fetching thread may log before "listening", which
  // waitForListeningPort has already read past.
  bool loggedOrAwait(const std::string& message) {
    return gateway_->stderrText().find(message) != std::string::npos ||
           gateway_->waitForStderrLine(message, std::chrono::seconds(30));
  }

  HttpReply call(const std::string& method, const std::string& path, const std::string& bearer,
                 const std::string& body = "") {
    HttpCallExtras extras;
    if (!bearer.empty()) extras.headers.emplace_back("Authorization", "Bearer " + bearer);
    return httpCall(port_, method, path, body, body.empty() ? "" : "application/json", extras);
  }

  static std::string header(const HttpReply& reply, const std::string& name) {
    for (const auto& [key, value] : reply.headers) {
      if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
    }
    return "";
  }

  fs::path dir_;
  OidcIssuerFake issuer_;
  TestSigningKey rsa_ = TestSigningKey::rsa("rsa-1");
  TestSigningKey ec_ = TestSigningKey::ec("ec-1", "P-256");
  std::unique_ptr<ChildProcess> gateway_;
  std::uint16_t port_ = 0;
};

TEST_F(ApiAuth, EveryRouteGroupNeedsItsRole) {
  start(writeConfig());
  struct Route {
    std::string method, path, body;
    std::string needs;  // "viewer", "operator" or "admin"
  };
  const std::vector<Route> routes = {
      {"GET", "/api/v1/sessions", "", "viewer"},
      {"GET", "/api/v1/workers", "", "viewer"},
      {"GET", "/api/v1/definitions", "", "viewer"},
      {"GET", "/api/v1/events", "", "viewer"},
      {"GET", "/api/v1/sinks", "", "viewer"},
      {"GET", "/api/v1/deadletters", "", "viewer"},
      {"GET", "/api/v1/schemas", "", "viewer"},
      {"GET", "/metrics", "", "viewer"},
      {"POST", "/api/v1/definitions", "{}", "operator"},
      {"POST", "/api/v1/sessions", "{}", "operator"},
      {"POST", "/api/v1/sessions/s-1/stop", "{}", "operator"},
      {"POST", "/api/v1/sessions/s-1/terminate", "{}", "operator"},
      {"POST", "/api/v1/workers", "{}", "operator"},
      {"POST", "/api/v1/workers/w-1/drain", "{}", "operator"},
      {"POST", "/api/v1/deadletters/replay", "{}", "operator"},
      {"POST", "/api/v1/deadletters/1/replay", "{}", "operator"},
      {"DELETE", "/api/v1/deadletters/1", "", "admin"},
      {"DELETE", "/api/v1/deadletters", "", "admin"},
      {"POST", "/api/v1/admin/reload", "", "admin"},
  };
  const std::vector<std::string> ranks = {"viewer", "operator", "admin"};
  const auto rank = [&](const std::string& role) {
    return std::find(ranks.begin(), ranks.end(), role) - ranks.begin();
  };
  for (const auto& route : routes) {
    const auto what = route.method + " " + route.path;
    const auto anonymous = call(route.method, route.path, "", route.body);
    EXPECT_EQ(anonymous.status, 401) << what;
    EXPECT_EQ(header(anonymous, "WWW-Authenticate"), "Bearer realm=\"ccm-gateway\"") << what;
    for (const auto& role : ranks) {
      const auto reply = call(route.method, route.path, token({"ccm-" + role}), route.body);
      if (rank(role) < rank(route.needs)) {
        EXPECT_EQ(reply.status, 403) << what << " as " << role;
        EXPECT_THAT(reply.body, HasSubstr("needs role " + route.needs + "; token \\\"alice\\\" has roles [ccm-" + role +
                                          "] (realm_access.roles)"))
            << what;
      } else {
        EXPECT_NE(reply.status, 401) << what << " as " << role << ": " << reply.body;
        EXPECT_NE(reply.status, 403) << what << " as " << role << ": " << reply.body;
      }
    }
  }
  EXPECT_EQ(call("GET", "/healthz", "").status, 200) << "public";
  EXPECT_EQ(call("GET", "/readyz", "").status, 200) << "public";
  EXPECT_EQ(call("GET", "/api/v1/openapi.json", "").status, 200) << "public: clients generate code from it";
  EXPECT_EQ(call("POST", "/healthz", "", "{}").status, 401) << "public paths are public to read only";
  const auto metrics = call("GET", "/metrics", token({"ccm-viewer"})).body;
  EXPECT_THAT(metrics,
              HasSubstr("ccm_api_auth_failures_total{reason=\"missing\"} " + std::to_string(routes.size() + 1)));
  EXPECT_THAT(metrics, HasSubstr("ccm_api_auth_failures_total{reason=\"forbidden\"}"));
}

TEST_F(ApiAuth, RefusesEveryBadTokenWithItsReason) {
  start(writeConfig());
  const auto other = TestSigningKey::rsa("rsa-1");  // same kid, another key
  const auto t = now();
  struct Case {
    std::string name, token, reason, detail;
  };
  const std::vector<Case> cases = {
      {"malformed", "abc.def.ghi", "malformed", ""},
      {"alg none", token({"ccm-admin"}, {}, "none"), "algorithm", "none"},
      {"HS256 keyed with the public key",
       rsa_.sign(R"({"iss":")" + issuer_.issuer() + R"(","aud":"ccm-gateway","exp":)" + std::to_string(t + 300) + "}",
                 "HS256", true, rsa_.publicKeyPem()),
       "algorithm", "HS256"},
      {"wrong signature", token({"ccm-admin"}, {}, "RS256", &other), "signature", ""},
      {"wrong issuer", token({"ccm-admin"}, {{"iss", R"("http://127.0.0.1:1/realms/other")"}}), "issuer",
       "realms/other"},
      {"wrong audience", token({"ccm-admin"}, {{"aud", R"("someone-else")"}}), "audience", "someone-else"},
      {"expired", token({"ccm-admin"}, {{"exp", std::to_string(t - 3600)}}), "expired", ""},
      {"not yet valid", token({"ccm-admin"}, {{"nbf", std::to_string(t + 3600)}}), "not_yet_valid", ""},
      {"issued in the future", token({"ccm-admin"}, {{"iat", std::to_string(t + 3600)}}), "issued_in_future", ""},
      {"an ID token", token({"ccm-admin"}, {{"typ", R"("ID")"}}), "token_type", "not an access token"},
  };
  for (const auto& c : cases) {
    const auto reply = call("GET", "/api/v1/sessions", c.token);
    EXPECT_EQ(reply.status, 401) << c.name << ": " << reply.body;
    EXPECT_THAT(reply.body, HasSubstr("\"reason\":\"" + c.reason + "\"")) << c.name;
    EXPECT_THAT(reply.body, HasSubstr(c.detail)) << c.name;
    EXPECT_THAT(header(reply, "WWW-Authenticate"), HasSubstr("Bearer realm=\"ccm-gateway\", error=\"invalid_token\", "
                                                             "error_description=\""))
        << c.name;
    EXPECT_EQ(reply.content_type, "application/problem+json") << c.name;
  }
  // A token without the roles claim is valid, but grants nothing.
  const auto no_roles = rsa_.sign(
      R"({"iss":")" + issuer_.issuer() + R"(","aud":"ccm-gateway","sub":"u-2","exp":)" + std::to_string(t + 300) + "}",
      "RS256");
  const auto reply = call("GET", "/api/v1/sessions", no_roles);
  EXPECT_EQ(reply.status, 403) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr("has roles [] (realm_access.roles)"));
  // Both key types the issuer publishes verify.
  EXPECT_EQ(call("GET", "/api/v1/sessions", token({"ccm-viewer"}, {}, "ES256", &ec_)).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/sessions", token({"ccm-viewer"}, {}, "PS256")).status, 200);
}

TEST_F(ApiAuth, PicksUpARotatedKeyWhenATokenNamesIt) {
  start(writeConfig());
  const auto rotated = TestSigningKey::rsa("rsa-2");
  const auto signed_by_new = token({"ccm-viewer"}, {}, "RS256", &rotated);
  auto reply = call("GET", "/api/v1/sessions", signed_by_new);
  EXPECT_EQ(reply.status, 401);
  EXPECT_THAT(reply.body, HasSubstr("\"reason\":\"unknown_key\""));
  EXPECT_THAT(reply.body, HasSubstr("rsa-2"));
  // The issuer rotates. A token naming an unknown key fetches the keys again,
  // but not within 10 s of the last fetch.
  const int fetches = issuer_.jwksFetches();
  issuer_.publish(ccm::testing::jwksOf({&rsa_, &rotated}));
  EXPECT_EQ(call("GET", "/api/v1/sessions", signed_by_new).status, 401);
  EXPECT_EQ(issuer_.jwksFetches(), fetches) << "rate-limited";
  std::this_thread::sleep_for(std::chrono::seconds(10));
  EXPECT_EQ(call("GET", "/api/v1/sessions", signed_by_new).status, 200);
  EXPECT_EQ(issuer_.jwksFetches(), fetches + 1);
  EXPECT_EQ(call("GET", "/api/v1/sessions", token({"ccm-viewer"})).status, 200) << "the old key still verifies";
}

TEST_F(ApiAuth, AnswersServiceUnavailableUntilTheIssuerCanBeReached) {
  issuer_.setAvailable(false);
  gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", writeConfig()},
                                            std::vector<std::string>{"CCM_CI_KEY_SHA256=" + sha256Hex(kCiKey)});
  const auto port = waitForListeningPort(*gateway_, std::chrono::seconds(60));
  ASSERT_TRUE(port) << gateway_->stderrText();
  port_ = *port;
  ASSERT_TRUE(loggedOrAwait("OIDC keys not fetched")) << gateway_->stderrText();
  auto reply = call("GET", "/api/v1/sessions", token({"ccm-viewer"}));
  EXPECT_EQ(reply.status, 503);
  EXPECT_THAT(reply.body, HasSubstr("openid-configuration: HTTP 503"));
  EXPECT_EQ(call("GET", "/api/v1/sessions", kCiKey).status, 200) << "API keys do not need the issuer";
  issuer_.setAvailable(true);
  ASSERT_TRUE(gateway_->waitForStderrLine("OIDC keys fetched", std::chrono::seconds(30)));
  EXPECT_EQ(call("GET", "/api/v1/sessions", token({"ccm-viewer"})).status, 200);
}

TEST_F(ApiAuth, ApiKeysAreKnownByTheirHashAndRevokedByAReload) {
  const auto config = writeConfig();
  start(config);
  EXPECT_EQ(call("GET", "/api/v1/sessions", kCiKey).status, 200);
  const auto wrong = call("GET", "/api/v1/sessions", "ci-key-2");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_THAT(wrong.body, HasSubstr("not a known API key"));
  const auto forbidden = call("POST", "/api/v1/admin/reload", kCiKey);
  EXPECT_EQ(forbidden.status, 403);
  EXPECT_THAT(forbidden.body, HasSubstr("needs role admin; api_key \\\"ci-bot\\\" has roles [operator]"));

  // Revoke: the file now holds another key's hash; an admin token reloads.
  std::string text;
  {
    std::ifstream in(config);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.replace(text.find("env:CCM_CI_KEY_SHA256"), 21, sha256Hex("ci-key-2"));
  std::ofstream(config) << text;
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", token({"ccm-admin"})).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/sessions", kCiKey).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/sessions", "ci-key-2").status, 200);
}

TEST_F(ApiAuth, WritesOneAuditLinePerMutatingCall) {
  start(writeConfig());
  call("POST", "/api/v1/workers", "", R"({"name":"w"})");
  const auto created = call("POST", "/api/v1/definitions", token({"ccm-operator"}), R"({"name":"x"})");
  call("POST", "/api/v1/workers/w-9/drain", kCiKey, "{}");
  call("GET", "/api/v1/sessions", kCiKey);
  gateway_->signal(SIGTERM);
  gateway_->waitForExit(std::chrono::seconds(30));
  gateway_->collectOutput();
  std::vector<std::string> audit;
  std::istringstream lines(gateway_->stderrText());
  for (std::string line; std::getline(lines, line);) {
    if (line.find("\"logger\":\"ccm.audit\"") != std::string::npos) audit.push_back(line);
  }
  ASSERT_EQ(audit.size(), 3u) << gateway_->stderrText();
  EXPECT_THAT(audit[0], HasSubstr(R"("principal_kind":"unauthenticated")"));
  EXPECT_THAT(audit[0], HasSubstr(R"("method":"POST","route":"/api/v1/workers")"));
  EXPECT_THAT(audit[0], HasSubstr(R"("status":"401")"));
  EXPECT_THAT(audit[1],
              HasSubstr(R"("principal":"alice","principal_kind":"token","subject":"u-1","roles":"[ccm-operator]")"));
  EXPECT_THAT(audit[1], HasSubstr(R"("route":"/api/v1/definitions")"));
  EXPECT_THAT(audit[1], HasSubstr("\"status\":\"" + std::to_string(created.status) + "\""));
  EXPECT_THAT(audit[2], HasSubstr(R"("principal":"ci-bot","principal_kind":"api_key")"));
  EXPECT_THAT(audit[2], HasSubstr(R"("route":"/api/v1/workers/{id}/drain","target":"w-9","status":"404")"));
}

TEST_F(ApiAuth, AJwtSourceTakesTheIssuersTokensWithItsRole) {
  const std::string jwt = R"({"jwt": {"issuer": ")" + issuer_.issuer() +
                          R"(", "audience": "ccm-gateway", "required_role": "grading-engine"}})";
  start(writeConfig("", R"(,
  "sources": [{"name": "lds", "plugin": "lds", "auth": )" +
                            jwt + R"(}],
  "ingress": {"unclaimed": "forward", "forward_auth": )" +
                            jwt + "}"));
  const auto event = [](const std::string& type, const std::string& id) {
    return R"({"specversion":"1.0","id":")" + id + R"(","source":"urn:grader","type":")" + type +
           R"(","datacontenttype":"application/json","data":{"lablet_session_id":"s-404"}})";
  };
  const auto post = [&](const std::string& bearer, const std::string& body) {
    HttpCallExtras extras;
    if (!bearer.empty()) extras.headers.emplace_back("Authorization", "Bearer " + bearer);
    return httpCall(port_, "POST", "/api/v1/events", body, "application/cloudevents+json", extras);
  };
  EXPECT_EQ(post("", event("lds.session.started", "e-1")).status, 401);
  const auto lacking = post(token({"ccm-admin"}), event("lds.session.started", "e-2"));
  EXPECT_EQ(lacking.status, 403);
  EXPECT_THAT(lacking.body, HasSubstr("does not hold role \\\"grading-engine\\\" under realm_access.roles"));
  const auto wrong_audience = post(token({"grading-engine"}, {{"aud", R"("x")"}}), event("lds.session.started", "e-3"));
  EXPECT_EQ(wrong_audience.status, 401);
  // Past the credentials: the session is what is missing now.
  const auto claimed = post(token({"grading-engine"}), event("lds.session.started", "e-4"));
  EXPECT_NE(claimed.status, 401) << claimed.body;
  EXPECT_NE(claimed.status, 403) << claimed.body;
  EXPECT_THAT(claimed.body, HasSubstr("s-404"));
  const auto forwarded = post(token({"grading-engine"}), event("grader.report.ready", "e-5"));
  EXPECT_EQ(forwarded.status, 202) << forwarded.body;
}

// The README's walk-through, as an operator with a token and a viewer reading.
TEST_F(ApiAuth, TheReadmeWalkThroughRunsWithAToken) {
  start(writeConfig());
  const auto operator_token = token({"ccm-operator"});
  const auto id = [](const HttpReply& reply) {
    rapidjson::Document document;
    document.Parse(reply.body.c_str());
    return document.IsObject() && document.HasMember("id") ? std::string(document["id"].GetString()) : "";
  };
  const auto post = [&](const std::string& path, const std::string& body = "") {
    return call("POST", path, operator_token, body);
  };
  const auto def = id(
      post("/api/v1/definitions",
           R"({"name":"ccna","lab_yaml":"nodes:\n  - id: n0\n    label: r1\n    tags: [serial:5000, vnc:5900]\n"})"));
  ASSERT_FALSE(def.empty());
  const auto worker = id(post("/api/v1/workers", R"({"name":"cml-1","private_address":"10.0.0.10"})"));
  ASSERT_FALSE(worker.empty());
  EXPECT_EQ(post("/api/v1/workers/" + worker + "/provisioning").status, 200);
  EXPECT_EQ(post("/api/v1/workers/" + worker + "/running").status, 200);
  const auto session = id(post("/api/v1/sessions", R"({"definition_id":")" + def + R"(","owner_id":"student-1"})"));
  ASSERT_FALSE(session.empty());
  const auto s = "/api/v1/sessions/" + session;
  EXPECT_EQ(post(s + "/schedule", R"({"worker_id":")" + worker + R"("})").status, 200);
  EXPECT_EQ(post(s + "/instantiate").status, 200);
  EXPECT_EQ(post(s + "/ready", R"({"login_url":"https://lds.example/s/1"})").status, 200);
  for (const auto* step : {"running", "collect", "grading"}) EXPECT_EQ(post(s + "/" + step).status, 200) << step;
  EXPECT_EQ(post(s + "/score", R"({"score":91,"passed":true})").status, 200);
  const auto viewed = call("GET", s, token({"ccm-viewer"}));
  EXPECT_EQ(viewed.status, 200);
  EXPECT_THAT(viewed.body, HasSubstr("\"state\":\"gra"));
  EXPECT_EQ(call("GET", "/api/v1/events?subject=" + session, token({"ccm-viewer"})).status, 200);
  EXPECT_EQ(post(s + "/stop", "{}").status, 200) << "an operator may stop it";
  EXPECT_EQ(call("GET", s, "").status, 401) << "nothing without a token";
}

TEST_F(ApiAuth, AnApiKeyHashThatDoesNotResolveIsAConfigurationError) {
  const auto config = writeConfig();
  for (const auto& mode : {std::vector<std::string>{kGateway, "--config", config, "--check-config"},
                           std::vector<std::string>{kGateway, "--config", config}}) {
    const auto result = runCommand(mode);  // CCM_CI_KEY_SHA256 is not set
    EXPECT_EQ(result.exit_code, 78) << mode.back();
    EXPECT_THAT(result.err, HasSubstr("gateway.json:5: /server/auth/api_keys/0/key_sha256: "));
    EXPECT_THAT(result.err, HasSubstr("CCM_CI_KEY_SHA256"));
  }
}

TEST_F(ApiAuth, WithoutAuthTheGatewayListensOnLoopbackOnly) {
  const auto file = dir_ / "open.json";
  std::ofstream(file) << R"({"server": {"host": "0.0.0.0", "port": 0},
  "plugins": {"directories": [")"
                      << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")"
                      << (dir_ / "gw.db").string() << R"("}}, "sinks": []})";
  const auto refused = runCommand({kGateway, "--config", file.string()});
  EXPECT_EQ(refused.exit_code, 78);
  EXPECT_THAT(refused.err, HasSubstr("/server/host: \\\"0.0.0.0\\\" is not a loopback address"));
  EXPECT_THAT(refused.err, HasSubstr("allow_unauthenticated"));
  EXPECT_EQ(runCommand({kGateway, "--config", file.string(), "--check-config"}).exit_code, 78);

  std::ofstream(file) << R"({"server": {"host": "0.0.0.0", "port": 0, "allow_unauthenticated": true},
  "plugins": {"directories": [")"
                      << kPluginDir << R"("]},
  "store": {"sqlite": {"path": ")"
                      << (dir_ / "gw.db").string() << R"("}}, "sinks": []})";
  gateway_ = std::make_unique<ChildProcess>(std::vector<std::string>{kGateway, "--config", file.string()});
  ASSERT_TRUE(waitForListeningPort(*gateway_, std::chrono::seconds(60))) << gateway_->stderrText();
  EXPECT_THAT(gateway_->stderrText(), HasSubstr("the management API is open to anyone"));
}

}  // namespace
