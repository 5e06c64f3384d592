#include "api/get_by_id_route.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "api/request_trace.hpp"
#include "api/resource_json.hpp"

namespace ccm::core {
namespace {

const char* kWorker = R"({
  "type": "object", "additionalProperties": false, "required": ["name"],
  "properties": {
    "name": {"type": "string", "minLength": 1},
    "template_name": {"type": "string"},
    "public_address": {"type": "string"},
    "private_address": {"type": "string"},
    "port_range_start": {"type": "integer", "minimum": 1, "maximum": 65535},
    "port_range_end": {"type": "integer", "minimum": 1, "maximum": 65535},
    "capacity": {"type": "integer", "minimum": 1},
    "reason": {"type": "string"}}})";
const char* kReason = R"({
  "type": "object", "additionalProperties": false,
  "properties": {"reason": {"type": "string"}}})";

WorkerSpec specFrom(const rapidjson::Document& body) {
  WorkerSpec spec;
  spec.name = stringMember(body, "name");
  spec.template_name = stringMember(body, "template_name");
  spec.public_address = stringMember(body, "public_address");
  spec.private_address = stringMember(body, "private_address");
  spec.port_range_start = static_cast<std::uint16_t>(intMember(body, "port_range_start", spec.port_range_start));
  spec.port_range_end = static_cast<std::uint16_t>(intMember(body, "port_range_end", spec.port_range_end));
  spec.capacity = static_cast<int>(intMember(body, "capacity", spec.capacity));
  return spec;
}

std::string workerJson(const Worker& worker) { return resourceJson(worker); }

// One worker command route's work: the worker id, the body's reason and the
// call's trace context, which the events the command commits carry.
using WorkerCommand =
    std::function<Expected<Worker>(const std::string& id, const std::string& reason, const EventTrace& trace)>;

}  // namespace

void addWorkerRoutes(Router& router, Lifecycle& lifecycle, Store& store) {
  auto create = requestSchema(kWorker, "create worker request");
  router.add("POST", "/api/v1/workers", [&lifecycle, create](const HttpRequest& rq, const PathParams&) {
    auto body = readJsonBody(rq, *create);
    if (!body) return problemResponse(body.error());
    auto result = lifecycle.createWorker(specFrom(body.value()), requestTrace(rq));
    return createdResponse(result, "/api/v1/workers/", workerJson);
  });
  router.add("POST", "/api/v1/workers/scale-up",
             [&lifecycle, create](const HttpRequest& rq, const PathParams&) {
               auto body = readJsonBody(rq, *create);
               if (!body) return problemResponse(body.error());
               auto result = lifecycle.requestScaleUp(specFrom(body.value()), stringMember(body.value(), "reason"),
                                                      requestTrace(rq));
               return createdResponse(result, "/api/v1/workers/", workerJson);
             });

  router.add("GET", "/api/v1/workers", [&store](const HttpRequest& rq, const PathParams&) {
    std::size_t limit = 100;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, limit, offset)) return problemResponse(*problem);
    auto tx = store.begin();
    return jsonResponse(200, renderList(tx->listWorkers(limit, offset), workerJson, limit, offset));
  });

  addGetByIdRoute(router, "/api/v1/workers/{id}", store, "worker",
                  [](Transaction& transaction, const std::string& id) { return transaction.findWorker(id); });

  auto reason = requestSchema(kReason, "worker command request");
  auto command = [&router, reason](const std::string& verb, WorkerCommand run) {
    router.add("POST", "/api/v1/workers/{id}/" + verb,
               [reason, run](const HttpRequest& rq, const PathParams& p) {
                 auto body = readOptionalJsonBody(rq, *reason);
                 if (!body) return problemResponse(body.error());
                 return resultResponse(run(p.at("id"), stringMember(body.value(), "reason"), requestTrace(rq)), 200,
                                       workerJson);
               });
  };
  auto transition = [&lifecycle](WorkerState to) {
    return [&lifecycle, to](const std::string& id, const std::string& why, const EventTrace& trace) {
      return lifecycle.transitionWorker(id, to, why, trace);
    };
  };
  command("provisioning", transition(WorkerState::Provisioning));
  command("running", transition(WorkerState::Running));
  command("drain", transition(WorkerState::Draining));
  command("stop", transition(WorkerState::Stopping));
  command("stopped", transition(WorkerState::Stopped));
  command("terminate", transition(WorkerState::Terminated));
  command("scale-down", [&lifecycle](const std::string& id, const std::string& why, const EventTrace& trace) {
    return lifecycle.requestScaleDown(id, why, trace);
  });
}

}  // namespace ccm::core
