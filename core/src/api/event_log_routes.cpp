#include "api/error_status.hpp"
#include "api/json_request.hpp"
#include "api/lifecycle_routes.hpp"
#include "ccm/sdk/codec.hpp"
#include "engine/event_catalog.hpp"
#include "event_schemas.hpp"

namespace ccm::core {
namespace {

std::optional<Error> readAfter(const HttpRequest& request, std::int64_t& after) {
  const std::string text = queryParameter(request, "after");
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    after = std::stoll(text, &used);
    if (used != text.size() || after < 0) throw std::invalid_argument(text);
  } catch (const std::exception&) {
    return Error::invalid("query parameter after must be a non-negative sequence number, got \"" + text + "\"",
                               "after");
  }
  return std::nullopt;
}

}  // namespace

void addEventLogRoutes(Router& router, Store& store) {
  // ADR-003: "External systems query ... for missed events": page with
  // ?after=<last sequence seen> until next_after stops moving.
  router.add("GET", "/api/v1/events", [&store](const HttpRequest& rq, const PathParams&) {
    EventQuery query;
    std::size_t offset = 0;
    if (auto problem = readPaging(rq, query.limit, offset)) return problemResponse(*problem);
    if (auto problem = readAfter(rq, query.after)) return problemResponse(*problem);
    if (!queryParameter(rq, "after").empty()) {
      // Retention deleted what the caller asked for: say so rather than
      // silently answering from a later sequence (docs/api.md#event-log).
      if (const auto first = store.firstSequence(); query.after + 1 < first) {
        return problemResponse(httpStatus(ErrorCategory::Gone),
                               "events after " + std::to_string(query.after) +
                                   " are no longer kept (store.retention); the oldest is " + std::to_string(first) +
                                   ": ask again with after=" + std::to_string(first - 1),
                               {{"first_sequence", static_cast<std::uint64_t>(first)}});
      }
    }
    query.type_glob = queryParameter(rq, "type");
    query.subject = queryParameter(rq, "subject");
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
