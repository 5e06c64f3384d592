#include "api/get_by_id_route.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "api/request_trace.hpp"
#include "api/resource_json.hpp"

namespace ccm::core {
namespace {

const char* kDefinition = R"({
  "type": "object", "additionalProperties": false, "required": ["name", "lab_yaml"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "lab_yaml": {"type": "string", "minLength": 1},
    "pod_settings": {"type": "object"},
    "max_duration_seconds": {"type": "integer", "minimum": 0}}})";
const char* kVersion = R"({
  "type": "object", "additionalProperties": false, "required": ["lab_yaml"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "lab_yaml": {"type": "string", "minLength": 1},
    "pod_settings": {"type": "object"},
    "max_duration_seconds": {"type": "integer", "minimum": 0}}})";

DefinitionSpec specFrom(const rapidjson::Document& body) {
  DefinitionSpec spec;
  spec.name = stringMember(body, "name");
  spec.lab_yaml = stringMember(body, "lab_yaml");
  if (auto it = body.FindMember("pod_settings"); it != body.MemberEnd()) spec.pod_settings = toJsonText(it->value);
  spec.max_duration_seconds = intMember(body, "max_duration_seconds", 0);
  return spec;
}

std::string definitionJson(const LabletDefinition& definition) { return resourceJson(definition); }

}  // namespace

void addDefinitionRoutes(Router& router, Lifecycle& lifecycle, Store& store) {
  auto create = requestSchema(kDefinition, "create definition request");
  router.add("POST", "/api/v1/definitions", [&lifecycle, create](const HttpRequest& rq, const PathParams&) {
    auto body = readJsonBody(rq, *create);
    if (!body) return problemResponse(body.error());
    auto result = lifecycle.createDefinition(specFrom(body.value()), requestTrace(rq));
    return createdResponse(result, "/api/v1/definitions/", definitionJson);
  });

  router.add("GET", "/api/v1/definitions", [&store](const HttpRequest& rq, const PathParams&) {
    std::size_t limit = 100;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, limit, offset)) return problemResponse(*problem);
    auto tx = store.begin();
    return jsonResponse(200, renderList(tx->listDefinitions(limit, offset), definitionJson, limit, offset));
  });

  addGetByIdRoute(router, "/api/v1/definitions/{id}", store, "definition",
                  [](Transaction& transaction, const std::string& id) { return transaction.findDefinition(id); });

  auto version = requestSchema(kVersion, "add definition version request");
  router.add("POST", "/api/v1/definitions/{id}/versions",
             [&lifecycle, version](const HttpRequest& rq, const PathParams& p) {
               auto body = readJsonBody(rq, *version);
               if (!body) return problemResponse(body.error());
               return resultResponse(
                   lifecycle.addDefinitionVersion(p.at("id"), specFrom(body.value()), requestTrace(rq)), 201,
                   definitionJson);
             });

  router.add("GET", "/api/v1/definitions/{id}/versions",
             [&store](const HttpRequest&, const PathParams& p) {
               auto tx = store.begin();
               if (!tx->findDefinition(p.at("id"))) {
                 return problemResponse(Error::notFound("definition " + p.at("id") + " does not exist"));
               }
               const auto versions = tx->definitionVersions(p.at("id"));
               std::string out = "{\"items\":[";
               for (std::size_t i = 0; i < versions.size(); ++i) out += (i ? "," : "") + resourceJson(versions[i]);
               return jsonResponse(200, out + "]}");
             });
}

}  // namespace ccm::core
