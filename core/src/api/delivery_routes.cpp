#include "api/delivery_routes.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/json_request.hpp"
#include "api/redrive_routes.hpp"
#include "api/request_trace.hpp"
#include "ccm/sdk/codec.hpp"

namespace ccm::core {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// "paused", and the pause in force as "pause" when there is one.
void writePauseFields(Writer& w, const std::optional<SinkPause>& pause) {
  w.Key("paused");
  w.Bool(pause.has_value());
  if (!pause) return;
  w.Key("pause");
  w.StartObject();
  w.Key("paused_at");
  w.String(pause->paused_at);
  w.Key("reason");
  w.String(pause->reason);
  w.Key("automatic");
  w.Bool(pause->automatic);
  w.EndObject();
}

void writeStatus(Writer& w, const SinkStatus& s, const std::optional<SinkRedrive>& redrive) {
  w.StartObject();
  w.Key("name");
  w.String(s.name);
  w.Key("plugin");
  w.String(s.plugin);
  w.Key("cursor");
  w.Int64(s.cursor);
  w.Key("log_position");
  w.Int64(s.log_position);
  w.Key("lag");
  w.Int64(std::max<std::int64_t>(0, s.log_position - s.cursor));
  w.Key("in_flight");
  w.Uint64(s.in_flight);
  w.Key("waiting_retry");
  w.Uint64(s.waiting_retry);
  w.Key("circuit");
  w.String(s.circuit);
  w.Key("delivered");
  w.Uint64(s.delivered);
  w.Key("failed");
  w.Uint64(s.failed);
  w.Key("dead_lettered");
  w.Uint64(s.dead_lettered);
  w.Key("last_error");
  w.String(s.last_error);
  w.Key("last_error_at");
  w.String(s.last_error_at);
  w.Key("leased");
  w.Bool(s.leased);
  w.Key("lease_holder");
  w.String(s.lease_holder);
  writePauseFields(w, s.pause);
  writeActiveRedrive(w, redrive);
  w.EndObject();
}

std::string deadLetterJson(const DeadLetter& d) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"id", &d.id},
                                   {"sink", &d.sink},
                                   {"first_error", &d.first_error},
                                   {"first_error_at", &d.first_error_at},
                                   {"last_error", &d.last_error},
                                   {"last_error_at", &d.last_error_at},
                                   {"dead_at", &d.dead_at}}) {
    w.Key(key);
    w.String(*value);
  }
  w.Key("sequence");
  w.Int64(d.sequence);
  w.Key("attempts");
  w.Int(d.attempts);
  w.Key("event");
  const std::string event = sdk::toStructured(d.event);
  w.RawValue(event.c_str(), event.size(), rapidjson::kObjectType);
  w.EndObject();
  return buffer.GetString();
}

std::string skippedJson(const SkippedEvents& skipped) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("first_sequence");
  w.Int64(skipped.first_sequence);
  w.Key("last_sequence");
  w.Int64(skipped.last_sequence);
  w.Key("events");
  w.Int64(skipped.events);
  w.Key("skipped_at");
  w.String(skipped.skipped_at);
  w.Key("reason");
  w.String("store.retention.force_after_seconds");
  w.EndObject();
  return buffer.GetString();
}

DeadLetterFilter filterFrom(const HttpRequest& request) {
  DeadLetterFilter filter;
  filter.sink = queryParameter(request, "sink");
  filter.type_glob = queryParameter(request, "type");
  filter.subject = queryParameter(request, "subject");
  return filter;
}

std::string countJson(const char* key, std::size_t count) {
  return std::string("{\"") + key + "\":" + std::to_string(count) + "}";
}

}  // namespace

void addDeliveryRoutes(Router& router, DeliveryService& delivery, Store& store, Lifecycle& lifecycle,
                       std::function<Expected<std::string>()> reload) {
  auto reason = requestSchema(R"({"type": "object", "additionalProperties": false,
    "properties": {"reason": {"type": "string", "maxLength": 1000}}})",
                              "sink pause request");
  // The pause in force (or none) as the store has it after a command.
  const auto pauseJson = [](const std::string& sink, const std::optional<SinkPause>& pause) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("sink");
    w.String(sink);
    writePauseFields(w, pause);
    w.EndObject();
    return std::string(buffer.GetString());
  };
  const auto notConfigured = [](const std::string& sink) {
    return problemResponse(Error::notFound("sink " + sink + " is not configured"));
  };

  router.add("POST", "/api/v1/sinks/{name}/pause",
             [&delivery, &lifecycle, reason, pauseJson, notConfigured](const HttpRequest& rq, const PathParams& p) {
               const std::string& name = p.at("name");
               if (!delivery.has(name)) return notConfigured(name);
               auto body = readOptionalJsonBody(rq, *reason);
               if (!body) return problemResponse(body.error());
               auto paused = lifecycle.pauseSink(name, stringMember(body.value(), "reason", "paused by an operator"),
                                                 false, requestTrace(rq));
               if (!paused) return problemResponse(paused.error());
               delivery.pauseChanged(name, paused.value());
               return jsonResponse(200, pauseJson(name, paused.value()));
             });

  router.add("POST", "/api/v1/sinks/{name}/resume",
             [&delivery, &lifecycle, pauseJson, notConfigured](const HttpRequest& rq, const PathParams& p) {
               const std::string& name = p.at("name");
               if (!delivery.has(name)) return notConfigured(name);
               auto resumed = lifecycle.resumeSink(name, requestTrace(rq));
               if (!resumed) return problemResponse(resumed.error());
               delivery.pauseChanged(name, std::nullopt);
               return jsonResponse(200, pauseJson(name, std::nullopt));
             });

  router.add("GET", "/api/v1/sinks", [&delivery, &store](const HttpRequest&, const PathParams&) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("items");
    w.StartArray();
    for (const auto& status : delivery.status()) {
      // The redrive's progress as stored (every replica shows the same);
      // without the store the rest of the status still answers.
      std::optional<SinkRedrive> redrive;
      try {
        redrive = store.activeRedrive(status.name);
      } catch (const StoreError&) {
      }
      writeStatus(w, status, redrive);
    }
    w.EndArray();
    w.EndObject();
    return jsonResponse(200, buffer.GetString());
  });

  // What retention deleted before this sink passed it (store.retention.force_after_seconds).
  router.add("GET", "/api/v1/sinks/{name}/skipped", [&store, &delivery, notConfigured](const HttpRequest& rq,
                                                                                      const PathParams& p) {
    const std::string& name = p.at("name");
    if (!delivery.has(name)) return notConfigured(name);
    std::size_t limit = 100;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, limit, offset)) return problemResponse(*problem);
    return jsonResponse(200, renderList(store.sinkSkips(name, limit, offset), skippedJson, limit, offset));
  });

  router.add("GET", "/api/v1/deadletters", [&store](const HttpRequest& rq, const PathParams&) {
    auto filter = filterFrom(rq);
    if (auto problem = readPaging(rq, filter.limit, filter.offset)) return problemResponse(*problem);
    return jsonResponse(200, renderList(store.listDeadLetters(filter), deadLetterJson, filter.limit, filter.offset));
  });

  router.add("GET", "/api/v1/deadletters/{id}", [&store](const HttpRequest&, const PathParams& p) {
    DeadLetterFilter filter;
    filter.id = p.at("id");
    const auto found = store.listDeadLetters(filter);
    if (found.empty()) return problemResponse(Error::notFound("dead letter " + p.at("id") + " does not exist"));
    return jsonResponse(200, deadLetterJson(found.front()));
  });

  router.add("POST", "/api/v1/deadletters/{id}/replay",
             [&store, &delivery](const HttpRequest&, const PathParams& p) {
               DeadLetterFilter filter;
               filter.id = p.at("id");
               const auto count = store.replayDeadLetters(filter);
               if (count == 0) return problemResponse(Error::notFound("dead letter " + p.at("id") + " does not exist"));
               delivery.wakeAll();
               return jsonResponse(200, countJson("replayed", count));
             });

  // Replays every dead letter matching ?sink=&type=&subject= (all when none given).
  router.add("POST", "/api/v1/deadletters/replay", [&store, &delivery](const HttpRequest& rq, const PathParams&) {
    const auto count = store.replayDeadLetters(filterFrom(rq));
    delivery.wakeAll();
    return jsonResponse(200, countJson("replayed", count));
  });

  router.add("DELETE", "/api/v1/deadletters/{id}", [&store](const HttpRequest&, const PathParams& p) {
    DeadLetterFilter filter;
    filter.id = p.at("id");
    if (store.purgeDeadLetters(filter) == 0) {
      return problemResponse(Error::notFound("dead letter " + p.at("id") + " does not exist"));
    }
    return jsonResponse(200, countJson("purged", 1));
  });

  // Purging everything must be asked for explicitly: ?all=true, or a filter.
  router.add("DELETE", "/api/v1/deadletters", [&store](const HttpRequest& rq, const PathParams&) {
    const auto filter = filterFrom(rq);
    if (filter.sink.empty() && filter.type_glob.empty() && filter.subject.empty() &&
        queryParameter(rq, "all") != "true") {
      return problemResponse(Error::invalid("give sink, type or subject to choose what to purge, or all=true", "all"));
    }
    return jsonResponse(200, countJson("purged", store.purgeDeadLetters(filter)));
  });

  router.add("POST", "/api/v1/admin/reload", [reload](const HttpRequest&, const PathParams&) {
    auto result = reload();
    if (result) return jsonResponse(200, result.value());
    return problemResponse(result.error());
  });
}

}  // namespace ccm::core
