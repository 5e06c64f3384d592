#include "api/redrive_routes.hpp"

#include <Poco/Logger.h>

#include "api/error_status.hpp"
#include "api/json_request.hpp"
#include "ccm/sdk/time.hpp"
#include "delivery/delivery_settings.hpp"
#include "domain/uuid.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// The filter has the shape of a sink's delivery.filter, with its limits.
constexpr const char* kRedriveRequestSchema = R"({"type": "object", "additionalProperties": false,
  "properties": {
    "from_sequence": {"type": "integer", "minimum": 1},
    "from_time": {"type": "string", "minLength": 1, "maxLength": 64},
    "to_sequence": {"type": "integer", "minimum": 1},
    "to_time": {"type": "string", "minLength": 1, "maxLength": 64},
    "filter": {"type": "object", "additionalProperties": false, "properties": {
      "types": {"type": "array", "maxItems": 100, "items": {"type": "string", "minLength": 1, "maxLength": 512}},
      "subjects": {"type": "array", "maxItems": 1000, "items": {"type": "string", "minLength": 1, "maxLength": 512}},
      "sources": {"type": "array", "maxItems": 100, "items": {"type": "string", "minLength": 1, "maxLength": 512}},
      "cesql": {"type": "string", "minLength": 1, "maxLength": 4096}}}}})";

Poco::Logger& log() {
  return Poco::Logger::get("ccm.delivery");
}

void writeRedrive(Writer& w, const SinkRedrive& r) {
  w.StartObject();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"id", &r.id},
                                   {"sink", &r.sink},
                                   {"state", &r.state},
                                   {"created_at", &r.created_at},
                                   {"updated_at", &r.updated_at}}) {
    w.Key(key);
    w.String(*value);
  }
  for (const auto& [key, value] : {std::pair<const char*, std::int64_t>{"from_sequence", r.from_sequence},
                                   {"to_sequence", r.to_sequence},
                                   {"position", r.position},
                                   {"delivered", r.delivered},
                                   {"failed", r.failed},
                                   {"remaining", r.active() ? r.remaining() : 0}}) {
    w.Key(key);
    w.Int64(value);
  }
  w.Key("filter");
  w.RawValue(r.filter.c_str(), r.filter.size(), rapidjson::kObjectType);
  w.EndObject();
}

std::string redriveJson(const SinkRedrive& redrive) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  writeRedrive(w, redrive);
  return buffer.GetString();
}

// Why a redrive request is refused; `first_sequence` for a 410 (as GET /api/v1/events says it).
struct Refusal {
  Error error;
  std::optional<std::int64_t> first_sequence;
};

std::optional<std::int64_t> sequenceMember(const rapidjson::Value& body, const char* name) {
  const auto it = body.FindMember(name);
  if (it == body.MemberEnd()) return std::nullopt;
  return it->value.GetInt64();
}

sdk::Result<std::optional<std::chrono::system_clock::time_point>, Refusal> timeMember(const rapidjson::Value& body,
                                                                                      const char* name) {
  const auto it = body.FindMember(name);
  if (it == body.MemberEnd()) return std::optional<std::chrono::system_clock::time_point>{};
  const std::string text = it->value.GetString();
  const auto time = sdk::parseRfc3339(text);
  if (!time) {
    return Refusal{
        Error::invalid(
            std::string(name) + " must be an RFC 3339 time such as 2026-12-03T10:00:00Z, got \"" + text + "\"", name),
        std::nullopt};
  }
  return std::optional<std::chrono::system_clock::time_point>{*time};
}

// The request resolved against the log and the sink's cursor: the range as
// sequences (times through the log's commit times), clamped to the cursor
// (later events are not delivered yet, and will be anyway).
sdk::Result<SinkRedrive, Refusal> resolveRedrive(const rapidjson::Value& body, const std::string& sink,
                                                 std::int64_t cursor, Store& store) {
  const auto from_sequence = sequenceMember(body, "from_sequence");
  const auto to_sequence = sequenceMember(body, "to_sequence");
  auto from_time = timeMember(body, "from_time");
  if (!from_time) return from_time.error();
  auto to_time = timeMember(body, "to_time");
  if (!to_time) return to_time.error();
  if (from_sequence.has_value() == from_time.value().has_value()) {
    return Refusal{Error::invalid("give either from_sequence or from_time (one of them)", "from_sequence"), {}};
  }
  if (to_sequence && to_time.value()) {
    return Refusal{Error::invalid("give either to_sequence or to_time, not both", "to_sequence"), {}};
  }
  if (from_sequence && to_sequence && *from_sequence > *to_sequence) {
    return Refusal{Error::invalid("from_sequence " + std::to_string(*from_sequence) + " is after to_sequence " +
                                      std::to_string(*to_sequence),
                                  "from_sequence"),
                   {}};
  }
  if (from_time.value() && to_time.value() && *from_time.value() > *to_time.value()) {
    return Refusal{Error::invalid("from_time is after to_time", "from_time"), {}};
  }
  SinkRedrive redrive;
  if (const auto filter = body.FindMember("filter"); filter != body.MemberEnd()) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    filter->value.Accept(w);
    redrive.filter = buffer.GetString();
    try {
      sinkFilterFromJson(redrive.filter);
    } catch (const std::invalid_argument& e) {
      return Refusal{Error::invalid(std::string("request body ") + e.what(), "filter"), {}};
    }
  }

  const std::int64_t first = store.firstSequence();
  std::int64_t from = 0;
  if (from_sequence) {
    from = *from_sequence;
  } else {
    from = store.firstSequenceRecorded(*from_time.value(), true);
    // Retention deleted events older than the first one kept: some may have been from after from_time.
    if (from == first && first > 1) {
      const auto oldest = store.readEvent(first);
      const auto recorded = oldest ? sdk::parseRfc3339(oldest->recorded_at) : std::nullopt;
      if (recorded && *recorded > *from_time.value()) from = first - 1;
    }
  }
  if (from < first) {
    const std::string asked = from_sequence ? "events from " + std::to_string(from)
                                            : "some events committed since " + stringMember(body, "from_time");
    return Refusal{Error{ErrorCategory::Gone,
                         asked + " are no longer kept (store.retention); the oldest is " + std::to_string(first) +
                             ": ask again with from_sequence=" + std::to_string(first),
                         from_sequence ? "from_sequence" : "from_time"},
                   first};
  }
  std::int64_t to = cursor;
  if (to_sequence) to = std::min(*to_sequence, cursor);
  if (to_time.value()) to = std::min(store.firstSequenceRecorded(*to_time.value(), false) - 1, cursor);
  if (from > to) {
    return Refusal{Error::conflict("nothing to redrive: sink " + sink + " has delivered up to sequence " +
                                       std::to_string(cursor) + " (its cursor), and the range asked for is " +
                                       std::to_string(from) + " to " + std::to_string(to),
                                   "from_sequence"),
                   {}};
  }
  const std::string now = sdk::formatRfc3339(std::chrono::system_clock::now());
  redrive.id = newUuid();
  redrive.sink = sink;
  redrive.from_sequence = from;
  redrive.to_sequence = to;
  redrive.position = from - 1;
  redrive.created_at = redrive.updated_at = now;
  return redrive;
}

// The sink's cursor: the delivering replica's own reading is ahead of the
// stored one by the outcomes its saver has not written yet (up to 20 ms).
std::int64_t cursorOf(DeliveryService& delivery, Store& store, const std::string& sink) {
  std::int64_t cursor = store.sharedSinkState(sink).cursor;
  for (const auto& status : delivery.status()) {
    if (status.name == sink) cursor = std::max(cursor, status.cursor);
  }
  return cursor;
}

HttpResponse refusalResponse(const Refusal& refusal) {
  if (!refusal.first_sequence) return problemResponse(refusal.error);
  return problemResponse(httpStatus(refusal.error.category), refusal.error.detail,
                         {{"first_sequence", static_cast<std::uint64_t>(*refusal.first_sequence)}});
}

}  // namespace

void writeActiveRedrive(Writer& w, const std::optional<SinkRedrive>& redrive) {
  if (!redrive) return;
  w.Key("redrive");
  writeRedrive(w, *redrive);
}

void addRedriveRoutes(Router& router, DeliveryService& delivery, Store& store) {
  auto schema = requestSchema(kRedriveRequestSchema, "sink redrive request");
  const auto notConfigured = [](const std::string& sink) {
    return problemResponse(Error::notFound("sink " + sink + " is not configured"));
  };

  router.add("POST", "/api/v1/sinks/{name}/redrive",
             [&delivery, &store, schema, notConfigured](const HttpRequest& rq, const PathParams& p) {
               const std::string& name = p.at("name");
               if (!delivery.has(name)) return notConfigured(name);
               // The gateway's own consumers (the collection flow) would make their calls again.
               if (name.starts_with('_')) {
                 return problemResponse(
                     Error::conflict(name + " is the gateway's own consumer, not a sink: it cannot be redriven"));
               }
               auto body = readJsonBody(rq, *schema);
               if (!body) return problemResponse(body.error());
               auto redrive = resolveRedrive(body.value(), name, cursorOf(delivery, store, name), store);
               if (!redrive) return refusalResponse(redrive.error());
               if (!store.startRedrive(redrive.value())) {
                 const auto active = store.activeRedrive(name);
                 const std::string id = active ? active->id : "?";
                 return problemResponse(Error::conflict("sink " + name + " has an active redrive already (" + id +
                                                        "); cancel it first: POST /api/v1/sinks/" + name +
                                                        "/redrives/" + id + "/cancel"));
               }
               delivery.redriveChanged(name);
               const auto& r = redrive.value();
               logWithFields(log(), sdk::LogLevel::Info, "redrive started",
                             {{"sink", name},
                              {"redrive", r.id},
                              {"from_sequence", std::to_string(r.from_sequence)},
                              {"to_sequence", std::to_string(r.to_sequence)},
                              {"filter", r.filter}});
               auto response = jsonResponse(201, redriveJson(r));
               response.headers.emplace_back("Location", "/api/v1/sinks/" + name + "/redrives/" + r.id);
               return response;
             });

  router.add("GET", "/api/v1/sinks/{name}/redrives", [&store](const HttpRequest& rq, const PathParams& p) {
    std::size_t limit = 100;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, limit, offset)) return problemResponse(*problem);
    return jsonResponse(200, renderList(store.listRedrives(p.at("name"), limit, offset), redriveJson, limit, offset));
  });

  router.add("GET", "/api/v1/sinks/{name}/redrives/{id}", [&store](const HttpRequest&, const PathParams& p) {
    const auto redrive = store.findRedrive(p.at("name"), p.at("id"));
    if (!redrive) {
      return problemResponse(Error::notFound("sink " + p.at("name") + " has no redrive " + p.at("id")));
    }
    return jsonResponse(200, redriveJson(*redrive));
  });

  router.add("POST", "/api/v1/sinks/{name}/redrives/{id}/cancel",
             [&delivery, &store](const HttpRequest&, const PathParams& p) {
               const std::string& name = p.at("name");
               const auto was_active = store.findRedrive(name, p.at("id"));
               if (!was_active)
                 return problemResponse(Error::notFound("sink " + name + " has no redrive " + p.at("id")));
               if (!was_active->active()) {
                 return problemResponse(
                     Error::conflict("redrive " + p.at("id") + " of sink " + name + " is " + was_active->state));
               }
               const auto cancelled =
                   store.cancelRedrive(name, p.at("id"), sdk::formatRfc3339(std::chrono::system_clock::now()));
               if (!cancelled || cancelled->state != kRedriveCancelled) {
                 // It completed between the two reads.
                 return problemResponse(Error::conflict("redrive " + p.at("id") + " of sink " + name + " is " +
                                                        (cancelled ? cancelled->state : std::string("gone"))));
               }
               delivery.redriveChanged(name);
               logWithFields(log(), sdk::LogLevel::Info, "redrive cancelled",
                             {{"sink", name},
                              {"redrive", cancelled->id},
                              {"position", std::to_string(cancelled->position)},
                              {"delivered", std::to_string(cancelled->delivered)}});
               return jsonResponse(200, redriveJson(*cancelled));
             });
}

}  // namespace ccm::core
