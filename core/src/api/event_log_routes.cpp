#include "api/event_log_query.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "ccm/sdk/codec.hpp"
#include "engine/event_catalog.hpp"
#include "event_schemas.hpp"

namespace ccm::core {

void addEventLogRoutes(Router& router, Store& store) {
  // ADR-003: "External systems query ... for missed events": page with
  // ?after=<last sequence seen> until next_after stops moving.
  router.add("GET", "/api/v1/events", [&store](const HttpRequest& rq, const PathParams&) {
    EventQuery query;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, query.limit, offset)) return problemResponse(*problem);
    std::optional<std::int64_t> after;
    if (auto problem = readSequence(queryParameter(rq, "after"), "after", after)) return problemResponse(*problem);
    if (after) {
      query.after = *after;
      // Retention deleted what the caller asked for: say so rather than
      // silently answering from a later sequence (docs/api.md#event-log).
      if (auto gone = goneAfter(store, query.after)) return *gone;
    }
    readEventFilters(rq, query);
    const auto events = store.readEvents(query);
    std::string out = "{\"items\":[";
    std::int64_t next_after = query.after;
    for (std::size_t i = 0; i < events.size(); ++i) {
      out += (i ? "," : "") + std::string("{\"sequence\":") + std::to_string(events[i].sequence) +
             ",\"event\":" + sdk::toStructured(events[i].event) + "}";
      next_after = events[i].sequence;
    }
    return jsonResponse(200, out + "],\"next_after\":" + std::to_string(next_after) + "}");
  });

  router.add("GET", "/api/v1/schemas", [](const HttpRequest&, const PathParams&) {
    std::string out = "{\"items\":[";
    bool first = true;
    for (const auto& type : eventCatalog()) {
      out += (first ? "" : ",") + std::string("{\"type\":\"") + std::string(type.type) + "\",\"version\":\"" +
             std::string(type.version) + "\",\"href\":\"/api/v1/schemas/" + std::string(type.type) + "\"}";
      first = false;
    }
    return jsonResponse(200, out + "]}");
  });

  router.add("GET", "/api/v1/schemas/{type}", [](const HttpRequest&, const PathParams& p) {
    for (const auto& [type, schema] : embeddedEventSchemas()) {
      if (type == p.at("type")) return bodyResponse(200, "application/schema+json", std::string(schema));
    }
    return problemResponse(Error::notFound("no schema for event type \"" + p.at("type") + "\" (see /api/v1/schemas)"));
  });
}

}  // namespace ccm::core
