#include "api/get_by_id_route.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "api/request_trace.hpp"
#include "api/resource_json.hpp"

namespace ccm::core {
namespace {

const char* kCreateSession = R"({
  "type": "object", "additionalProperties": false, "required": ["definition_id", "owner_id"],
  "properties": {"definition_id": {"type": "string", "minLength": 1}, "owner_id": {"type": "string", "minLength": 1}}})";
const char* kSchedule = R"({
  "type": "object", "additionalProperties": false, "required": ["worker_id"],
  "properties": {"worker_id": {"type": "string", "minLength": 1}}})";
const char* kInstantiate = R"({
  "type": "object", "additionalProperties": false,
  "properties": {"cml_lab_id": {"type": "string"}}})";
const char* kReady = R"({
  "type": "object", "additionalProperties": false, "required": ["login_url"],
  "properties": {"login_url": {"type": "string", "minLength": 1}}})";
const char* kScore = R"({
  "type": "object", "additionalProperties": false, "required": ["score", "passed"],
  "properties": {"score": {"type": "number"}, "passed": {"type": "boolean"}, "report_id": {"type": "string"}}})";
const char* kStop = R"({
  "type": "object", "additionalProperties": false,
  "properties": {"reason": {"type": "string"}, "final_state": {"enum": ["CANCELLED", "FAULTED"]}}})";
const char* kEmpty = R"({"type": "object", "additionalProperties": false})";

std::string sessionJson(const LabletSession& session) { return resourceJson(session); }

// One session command route's work: the session id, the request body and the
// call's trace context, which the events the command commits carry.
using SessionCommand = std::function<Expected<LabletSession>(const std::string& id, const rapidjson::Document& body,
                                                             const EventTrace& trace)>;

}  // namespace

void addSessionRoutes(Router& router, Lifecycle& lifecycle, Store& store) {
  auto create = requestSchema(kCreateSession, "create session request");
  router.add("POST", "/api/v1/sessions", [&lifecycle, create](const HttpRequest& rq, const PathParams&) {
    auto body = readJsonBody(rq, *create);
    if (!body) return problemResponse(body.error());
    auto result = lifecycle.createSession(
        {stringMember(body.value(), "definition_id"), stringMember(body.value(), "owner_id")}, requestTrace(rq));
    return createdResponse(result, "/api/v1/sessions/", sessionJson);
  });

  router.add("GET", "/api/v1/sessions", [&store](const HttpRequest& rq, const PathParams&) {
    SessionFilter filter;
    if (auto problem = readPaging(rq, filter.limit, filter.offset)) return problemResponse(*problem);
    if (auto state = queryParameter(rq, "state"); !state.empty()) {
      std::size_t start = 0;
      while (start <= state.size()) {
        const auto comma = state.find(',', start);
        const auto name = state.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto parsed = sessionStateFrom(name);
        if (!parsed) return problemResponse(Error::invalid("unknown session state \"" + name + "\"", "state"));
        filter.states.push_back(*parsed);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    filter.owner_id = queryParameter(rq, "owner_id");
    filter.definition_id = queryParameter(rq, "definition_id");
    filter.worker_id = queryParameter(rq, "worker_id");
    auto tx = store.begin();
    return jsonResponse(200, renderList(tx->listSessions(filter), sessionJson, filter.limit, filter.offset));
  });

  addGetByIdRoute(router, "/api/v1/sessions/{id}", store, "session",
                  [](Transaction& transaction, const std::string& id) { return transaction.findSession(id); });

  auto command = [&router](const std::string& verb, const char* schema_text, SessionCommand run) {
    auto schema = requestSchema(schema_text, (verb + " request").c_str());
    router.add("POST", "/api/v1/sessions/{id}/" + verb, [schema, run](const HttpRequest& rq, const PathParams& p) {
      auto body = readOptionalJsonBody(rq, *schema);
      if (!body) return problemResponse(body.error());
      return resultResponse(run(p.at("id"), body.value(), requestTrace(rq)), 200, sessionJson);
    });
  };
  command("schedule", kSchedule,
          [&lifecycle](const std::string& id, const rapidjson::Document& body, const EventTrace& trace) {
            return lifecycle.scheduleSession(id, stringMember(body, "worker_id"), trace);
          });
  command("instantiate", kInstantiate,
          [&lifecycle](const std::string& id, const rapidjson::Document& body, const EventTrace& trace) {
            return lifecycle.instantiateSession(id, stringMember(body, "cml_lab_id"), trace);
          });
  command("ready", kReady,
          [&lifecycle](const std::string& id, const rapidjson::Document& body, const EventTrace& trace) {
            return lifecycle.markReady(id, stringMember(body, "login_url"), trace);
          });
  command("running", kEmpty, [&lifecycle](const std::string& id, const rapidjson::Document&, const EventTrace& trace) {
    return lifecycle.markRunning(id, trace);
  });
  command("collect", kEmpty, [&lifecycle](const std::string& id, const rapidjson::Document&, const EventTrace& trace) {
    return lifecycle.startCollecting(id, trace);
  });
  command("grading", kEmpty, [&lifecycle](const std::string& id, const rapidjson::Document&, const EventTrace& trace) {
    return lifecycle.startGrading(id, trace);
  });
  command("score", kScore,
          [&lifecycle](const std::string& id, const rapidjson::Document& body, const EventTrace& trace) {
            return lifecycle.recordScore(id, body["score"].GetDouble(), body["passed"].GetBool(),
                                         stringMember(body, "report_id"), trace);
          });
  command("stop", kStop, [&lifecycle](const std::string& id, const rapidjson::Document& body, const EventTrace& trace) {
    std::optional<FinalState> final_state;
    if (auto name = stringMember(body, "final_state"); !name.empty()) final_state = finalStateFrom(name);
    return lifecycle.stopSession(id, final_state, stringMember(body, "reason"), trace);
  });
  command("stopped", kEmpty, [&lifecycle](const std::string& id, const rapidjson::Document&, const EventTrace& trace) {
    return lifecycle.markStopped(id, trace);
  });
  command("terminate", kEmpty,
          [&lifecycle](const std::string& id, const rapidjson::Document&, const EventTrace& trace) {
            return lifecycle.terminateSession(id, trace);
          });
}

}  // namespace ccm::core
