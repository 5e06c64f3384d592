// The OpenAPI document (core/src/api/openapi.json) against the gateway it
// describes: every route the gateway's router serves is in it with its role,
// nothing else is, every example fits its schema, and the gateway serves it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/pointer.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "api/openapi_route.hpp"
#include "app/gateway.hpp"
#include "auth/auth_settings.hpp"
#include "auth/roles.hpp"
#include "config/config_loader.hpp"
#include "config/json_locations.hpp"
#include "config/json_schema.hpp"
#include "domain/uuid.hpp"
#include "http_call.hpp"
#include "version.hpp"

namespace ccm::core {
namespace {

using ::testing::IsEmpty;

constexpr const char* kDocumentFile = "core/src/api/openapi.json";

rapidjson::Document parsed(std::string_view text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  return document;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::toupper(c); });
  return text;
}

struct Operation {
  std::string method;  // "GET"
  std::string path;    // "/api/v1/sessions/{id}"
  const rapidjson::Value* value;
  std::string name() const { return method + " " + path; }
};

std::vector<Operation> operationsOf(const rapidjson::Value& document) {
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::vector<Operation> operations;
  for (const auto& path : document["paths"].GetObject()) {
    for (const auto& item : path.value.GetObject()) {
      if (kMethods.count(item.name.GetString())) {
        operations.push_back({upper(item.name.GetString()), path.name.GetString(), &item.value});
      }
    }
  }
  return operations;
}

const char* stringOr(const rapidjson::Value& object, const char* name, const char* fallback) {
  const auto it = object.FindMember(name);
  return it != object.MemberEnd() && it->value.IsString() ? it->value.GetString() : fallback;
}

// Calls `visit(value, pointer)` on every object and array of `document`, but
// not inside example values (data, not document structure).
template <class Visit>
void walk(const rapidjson::Value& document, Visit visit) {
  std::vector<std::pair<const rapidjson::Value*, std::string>> pending{{&document, ""}};
  while (!pending.empty()) {
    auto [node, at] = std::move(pending.back());
    pending.pop_back();
    visit(*node, at);
    if (node->IsObject()) {
      for (const auto& member : node->GetObject()) {
        const std::string_view name = member.name.GetString();
        if (name == "example" || name == "examples" || name == "default" || name == "enum") continue;
        pending.emplace_back(&member.value, at + "/" + pointerToken(name));
      }
    } else if (node->IsArray()) {
      for (rapidjson::SizeType i = 0; i < node->Size(); ++i)
        pending.emplace_back(&(*node)[i], at + "/" + std::to_string(i));
    }
  }
}

// What is wrong with the examples of `text`: a Schema Object's `examples`
// (an array), and a Media Type's, Parameter's or Header's `example` and
// `examples` (a map of Example Objects), each against its schema.
std::vector<std::string> exampleMisfits(std::string_view text, std::size_t& checked) {
  const auto document = parsed(text);
  std::vector<std::string> misfits;
  auto check = [&](const std::string& schema_at, const rapidjson::Value& example, const std::string& example_at) {
    ++checked;
    auto schema = JsonSchema::compileAt(text, schema_at, kDocumentFile);
    if (!schema) return misfits.push_back(schema.error().message);
    if (auto error = schema.value()->validate(example)) {
      misfits.push_back(example_at + " does not fit " + schema_at + ": " + error->message);
    }
  };
  walk(document, [&](const rapidjson::Value& node, const std::string& at) {
    if (!node.IsObject()) return;
    const auto examples = node.FindMember("examples");
    if (node.HasMember("schema")) {
      if (node.HasMember("example")) check(at + "/schema", node["example"], at + "/example");
      if (examples != node.MemberEnd() && examples->value.IsObject()) {
        for (const auto& named : examples->value.GetObject()) {
          check(at + "/schema", named.value["value"],
                at + "/examples/" + pointerToken(named.name.GetString()) + "/value");
        }
      }
    } else if (examples != node.MemberEnd() && examples->value.IsArray()) {  // a Schema Object
      for (rapidjson::SizeType i = 0; i < examples->value.Size(); ++i) {
        check(at, examples->value[i], at + "/examples/" + std::to_string(i));
      }
    }
  });
  return misfits;
}

class OpenApiDocument : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    document_ = new rapidjson::Document(parsed(openApiDocument()));
    ASSERT_FALSE(document_->HasParseError())
        << kDocumentFile << " is not JSON at offset " << document_->GetErrorOffset();
    dir_ = std::filesystem::temp_directory_path() / ("ccm-openapi-" + std::to_string(::getpid()) + "-" + newUuid());
    std::filesystem::create_directories(dir_);
    // The gateway as it runs without plugins (the routes are the same); the
    // file is there for POST /api/v1/admin/reload.
    const std::string text = R"({"server": {"host": "127.0.0.1", "port": 0}, "plugins": {"directories": [")" +
                             dir_.string() + R"("]}, "store": {"sqlite": {"path": ")" + (dir_ / "gw.db").string() +
                             R"("}}, "sinks": []})";
    std::ofstream(dir_ / "gw.json") << text;
    auto config = loadConfigText(text, dir_ / "gw.json", [](const std::string&) { return std::nullopt; });
    ASSERT_TRUE(config) << config.error().message;
    auto gateway = Gateway::create(std::move(config.value()));
    ASSERT_TRUE(gateway) << gateway.error().message;
    gateway_ = gateway.value().release();
    auto port = gateway_->start();
    ASSERT_TRUE(port) << port.error().message;
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete document_;
    std::filesystem::remove_all(dir_);
  }

  void SetUp() override { ASSERT_NE(gateway_, nullptr) << "the gateway did not start"; }

  static std::vector<Operation> operations() { return operationsOf(*document_); }
  static const Operation* documented(const std::string& method, const std::string& path) {
    static const auto all = operations();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const Operation& o) { return o.method == method && o.path == path; });
    return it == all.end() ? nullptr : &*it;
  }

  // The gateway's answer to `method` `target` (an instance of `route`), and
  // what in it does not fit the document's schema for its status and media type.
  struct Answer {
    testing::HttpReply reply;
    std::string misfit;
  };
  static Answer call(const std::string& method, const std::string& route, const std::string& target,
                     const std::string& body = "") {
    Answer answer{testing::httpCall(gateway_->port(), method, target, body), ""};
    std::string at =
        "/paths/" + pointerToken(route) + "/" + lower(method) + "/responses/" + std::to_string(answer.reply.status);
    const auto* response = rapidjson::Pointer(at.c_str()).Get(*document_);
    if (response == nullptr) return {answer.reply, at + ": the document has no such response"};
    if (response->HasMember("$ref")) at = std::string((*response)["$ref"].GetString()).substr(1);
    const std::string media_type = answer.reply.content_type.substr(0, answer.reply.content_type.find(';'));
    at += "/content/" + pointerToken(media_type) + "/schema";
    auto schema = JsonSchema::compileAt(openApiDocument(), at, kDocumentFile);
    if (!schema) return {answer.reply, schema.error().message};
    if (auto error = schema.value()->validate(parsed(answer.reply.body))) answer.misfit = at + ": " + error->message;
    return answer;
  }
  static std::string example(const char* schema) {
    return toJsonText((*document_)["components"]["schemas"][schema]["examples"][0]);
  }
  static std::string idIn(const testing::HttpReply& reply) { return parsed(reply.body)["id"].GetString(); }

  static inline rapidjson::Document* document_ = nullptr;
  static inline Gateway* gateway_ = nullptr;
  static inline std::filesystem::path dir_;
};

TEST_F(OpenApiDocument, DescribesEveryRouteTheGatewayServes) {
  for (const auto& route : gateway_->router().routes()) {
    EXPECT_NE(documented(route.method, route.pattern), nullptr)
        << route.method << " " << route.pattern << " is served but not in " << kDocumentFile
        << " (docs/api.md#the-openapi-document says how to add it)";
  }
}

TEST_F(OpenApiDocument, DescribesNoRouteTheGatewayLacks) {
  const auto routes = gateway_->router().routes();
  for (const auto& operation : operations()) {
    const bool served = std::any_of(routes.begin(), routes.end(), [&](const Router::RouteName& route) {
      return route.method == operation.method && route.pattern == operation.path;
    });
    EXPECT_TRUE(served) << operation.name() << " is in " << kDocumentFile << " but the gateway has no such route";
  }
}

TEST_F(OpenApiDocument, NamesTheRoleEachRouteNeeds) {
  for (const auto& route : gateway_->router().routes()) {
    const auto* operation = documented(route.method, route.pattern);
    // Reported above; ingress and the console's public files below.
    if (operation == nullptr || route.async || route.access == RouteAccess::Public) continue;
    EXPECT_STREQ(stringOr(*operation->value, "x-ccm-role", "(none)"),
                 std::string(roleName(requiredRole(route.method, route.pattern))).c_str())
        << operation->name() << ": x-ccm-role differs from the role server.auth requires (auth/roles.hpp)";
  }
}

TEST_F(OpenApiDocument, LeavesEventIngressToTheSourcesCredentials) {
  std::size_t async_routes = 0;
  for (const auto& route : gateway_->router().routes()) {
    const auto* operation = documented(route.method, route.pattern);
    if (operation == nullptr) continue;
    const auto& value = *operation->value;
    EXPECT_EQ(value.HasMember("x-ccm-ingress"), route.async) << operation->name();
    if (!route.async) continue;
    ++async_routes;
    EXPECT_FALSE(value.HasMember("x-ccm-role")) << operation->name() << " is not under server.auth";
    ASSERT_TRUE(value.HasMember("security")) << operation->name() << " needs the sources' security schemes";
    for (const auto& requirement : value["security"].GetArray()) {
      for (const auto& scheme : requirement.GetObject()) {
        EXPECT_THAT(scheme.name.GetString(), ::testing::StartsWith("source")) << operation->name();
      }
    }
  }
  EXPECT_EQ(async_routes, 1u) << "POST /api/v1/events";
}

TEST_F(OpenApiDocument, MarksExactlyThePublicPathsPublic) {
  std::set<std::string> marked;
  for (const auto& operation : operations()) {
    if (operation.value->HasMember("x-ccm-public")) {
      EXPECT_EQ(operation.method, "GET") << operation.name() << ": public paths open GET and HEAD only";
      marked.insert(operation.path);
    }
  }
  // The default public_paths, and the routes that are public whatever it
  // says (the console's static files).
  const auto defaults = ApiAuthConfig{}.public_paths;
  std::set<std::string> expected(defaults.begin(), defaults.end());
  for (const auto& route : gateway_->router().routes()) {
    if (route.access == RouteAccess::Public) expected.insert(route.pattern);
  }
  EXPECT_EQ(marked, expected);
  EXPECT_TRUE(marked.count(std::string(kOpenApiPath)));
}

TEST_F(OpenApiDocument, IsOpenApi31WithInfoAndPaths) {
  EXPECT_THAT(stringOr(*document_, "openapi", ""), ::testing::StartsWith("3.1."));
  ASSERT_TRUE(document_->HasMember("info"));
  EXPECT_STRNE(stringOr((*document_)["info"], "title", ""), "");
  EXPECT_STREQ(stringOr((*document_)["info"], "version", ""), kVersion) << "@PROJECT_VERSION@ filled in by CMake";
  ASSERT_TRUE(document_->HasMember("paths") && (*document_)["paths"].IsObject());
  for (const auto& operation : operations()) {
    EXPECT_TRUE(operation.value->HasMember("responses") && (*operation.value)["responses"].MemberCount() > 0)
        << operation.name();
  }
}

TEST_F(OpenApiDocument, EveryRefResolves) {
  std::size_t refs = 0;
  walk(*document_, [&](const rapidjson::Value& node, const std::string& at) {
    if (!node.IsObject() || !node.HasMember("$ref")) return;
    ++refs;
    const std::string ref = node["$ref"].GetString();
    const rapidjson::Pointer target(ref.c_str());  // a URI fragment: "#/components/..."
    EXPECT_TRUE(ref.starts_with("#/") && target.IsValid() && target.Get(*document_) != nullptr)
        << at << ": $ref " << ref << " names nothing in the document";
  });
  EXPECT_GT(refs, 100u);
}

TEST_F(OpenApiDocument, DeclaresEachPathParameterOfItsTemplate) {
  auto resolved = [](const rapidjson::Value& parameter) -> const rapidjson::Value& {
    if (!parameter.HasMember("$ref")) return parameter;
    return *rapidjson::Pointer(parameter["$ref"].GetString()).Get(*document_);
  };
  for (const auto& operation : operations()) {
    std::set<std::string> in_template;
    for (std::size_t open = operation.path.find('{'); open != std::string::npos;
         open = operation.path.find('{', open + 1)) {
      in_template.insert(operation.path.substr(open + 1, operation.path.find('}', open) - open - 1));
    }
    std::set<std::string> declared;
    if (const auto it = operation.value->FindMember("parameters"); it != operation.value->MemberEnd()) {
      for (const auto& parameter : it->value.GetArray()) {
        const auto& p = resolved(parameter);
        if (std::string_view(stringOr(p, "in", "")) == "path") declared.insert(p["name"].GetString());
      }
    }
    EXPECT_EQ(declared, in_template) << operation.name();
  }
}

TEST_F(OpenApiDocument, OperationIdsAreUnique) {
  std::map<std::string, std::string> by_id;
  for (const auto& operation : operations()) {
    const std::string id = stringOr(*operation.value, "operationId", "");
    EXPECT_FALSE(id.empty()) << operation.name();
    const auto [it, added] = by_id.emplace(id, operation.name());
    EXPECT_TRUE(added) << id << " names both " << it->second << " and " << operation.name();
  }
}

TEST_F(OpenApiDocument, SecurityRequirementsNameDeclaredSchemes) {
  const auto& schemes = (*document_)["components"]["securitySchemes"];
  auto check = [&](const rapidjson::Value& requirements, const std::string& where) {
    for (const auto& requirement : requirements.GetArray()) {
      for (const auto& scheme : requirement.GetObject()) {
        EXPECT_TRUE(schemes.HasMember(scheme.name)) << where << ": unknown security scheme " << scheme.name.GetString();
      }
    }
  };
  check((*document_)["security"], "/security");
  for (const auto& operation : operations()) {
    if (operation.value->HasMember("security")) check((*operation.value)["security"], operation.name());
  }
}

TEST_F(OpenApiDocument, EveryExampleFitsItsSchema) {
  std::size_t checked = 0;
  EXPECT_THAT(exampleMisfits(openApiDocument(), checked), IsEmpty());
  EXPECT_GT(checked, 50u);
}

TEST_F(OpenApiDocument, AnExampleThatDoesNotFitIsNamed) {
  std::string text(openApiDocument());
  const std::string fitting = R"("owner_id": "student-42",)";
  const auto at = text.find(fitting);
  ASSERT_NE(at, std::string::npos);
  text.replace(at, fitting.size(), R"("owner_id": 42,)");
  std::size_t checked = 0;
  const auto misfits = exampleMisfits(text, checked);
  ASSERT_EQ(misfits.size(), 1u);
  EXPECT_THAT(misfits[0], ::testing::HasSubstr("/owner_id: expected string, got integer"));
}

TEST_F(OpenApiDocument, SchemasUseOnlyKeywordsTheValidatorImplements) {
  std::vector<std::string> found;
  for (const auto& schema : (*document_)["components"]["schemas"].GetObject()) {
    for (auto& keyword :
         unimplementedKeywords(schema.value, "/components/schemas/" + pointerToken(schema.name.GetString()))) {
      found.push_back(std::move(keyword));
    }
  }
  walk(*document_, [&](const rapidjson::Value& node, const std::string& at) {
    if (!node.IsObject() || at.starts_with("/components/schemas") || !node.HasMember("schema")) return;
    for (auto& keyword : unimplementedKeywords(node["schema"], at + "/schema")) found.push_back(std::move(keyword));
  });
  EXPECT_THAT(found, IsEmpty()) << "JsonSchema would ignore these, so examples would not be checked against them";
}

// The shapes the routes really answer, with the document's own request examples.
TEST_F(OpenApiDocument, TheGatewaysAnswersFitTheirSchemas) {
  const auto definition = call("POST", "/api/v1/definitions", "/api/v1/definitions", example("CreateDefinition"));
  ASSERT_EQ(definition.reply.status, 201) << definition.reply.body;
  EXPECT_EQ(definition.misfit, "");
  const auto worker = call("POST", "/api/v1/workers", "/api/v1/workers", example("CreateWorker"));
  ASSERT_EQ(worker.reply.status, 201) << worker.reply.body;
  EXPECT_EQ(worker.misfit, "");
  const std::string w = "/api/v1/workers/" + idIn(worker.reply);
  for (const auto* verb : {"provisioning", "running"}) {
    const auto moved = call("POST", "/api/v1/workers/{id}/" + std::string(verb), w + "/" + verb);
    EXPECT_EQ(moved.reply.status, 200) << moved.reply.body;
    EXPECT_EQ(moved.misfit, "") << verb;
  }
  const auto session = call("POST", "/api/v1/sessions", "/api/v1/sessions",
                            R"({"definition_id": ")" + idIn(definition.reply) + R"(", "owner_id": "student-42"})");
  ASSERT_EQ(session.reply.status, 201) << session.reply.body;
  EXPECT_EQ(session.misfit, "");
  const std::string s = "/api/v1/sessions/" + idIn(session.reply);
  const auto scheduled = call("POST", "/api/v1/sessions/{id}/schedule", s + "/schedule",
                              R"({"worker_id": ")" + idIn(worker.reply) + R"("})");
  EXPECT_EQ(scheduled.reply.status, 200) << scheduled.reply.body;
  EXPECT_EQ(scheduled.misfit, "");
  const auto early = call("POST", "/api/v1/sessions/{id}/grading", s + "/grading");
  EXPECT_EQ(early.reply.status, 409) << early.reply.body;
  EXPECT_EQ(early.misfit, "");
  const std::vector<std::pair<std::string, std::string>> reads = {
      {"/healthz", "/healthz"},
      {"/readyz", "/readyz"},
      {"/api/v1/definitions", "/api/v1/definitions"},
      {"/api/v1/definitions/{id}/versions", "/api/v1/definitions/" + idIn(definition.reply) + "/versions"},
      {"/api/v1/workers", "/api/v1/workers"},
      {"/api/v1/sessions", "/api/v1/sessions?state=scheduled"},
      {"/api/v1/sessions/{id}", "/api/v1/sessions/nope"},
      {"/api/v1/events", "/api/v1/events"},
      {"/api/v1/schemas", "/api/v1/schemas"},
      {"/api/v1/sinks", "/api/v1/sinks"},
      {"/api/v1/deadletters", "/api/v1/deadletters"},
      {"/api/v1/events/{sequence}/deliveries", "/api/v1/events/1/deliveries"},
      {"/api/v1/sinks/{name}/redrives", "/api/v1/sinks/none/redrives"},
      {"/api/v1/sinks/{name}/redrives/{id}", "/api/v1/sinks/none/redrives/nope"}};
  for (const auto& [route, target] : reads) EXPECT_EQ(call("GET", route, target).misfit, "") << target;
  EXPECT_EQ(call("POST", "/api/v1/sinks/{name}/pause", "/api/v1/sinks/none/pause").misfit, "");
  EXPECT_EQ(call("POST", "/api/v1/sinks/{name}/redrive", "/api/v1/sinks/none/redrive", R"({"from_sequence":1})").misfit,
            "");
  EXPECT_EQ(call("POST", "/api/v1/admin/reload", "/api/v1/admin/reload").misfit, "");
}

TEST_F(OpenApiDocument, TheGatewayServesIt) {
  const auto reply = testing::httpCall(gateway_->port(), "GET", std::string(kOpenApiPath));
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, openApiDocument());
}

}  // namespace
}  // namespace ccm::core
