#include "api/event_stream_route.hpp"

#include "api/event_log_query.hpp"
#include "api/json_request.hpp"

namespace ccm::core {
namespace {

HttpResponse tooManyStreams(std::size_t max_streams) {
  auto response = problemResponse(503, "the gateway already serves server.event_streams.max_streams (" +
                                           std::to_string(max_streams) + ") event streams; retry later");
  response.headers.emplace_back("Retry-After", "5");
  return response;
}

HttpResponse streamHead() {
  return {200,
          {{"Content-Type", "text/event-stream; charset=utf-8"},
           {"Cache-Control", "no-cache"},
           // nginx and the like would otherwise hold the events back in their buffers.
           {"X-Accel-Buffering", "no"}},
          {},
          true};
}

}  // namespace

void addEventStreamRoute(Router& router, Store& store, EventStreams& streams) {
  router.addStreaming(
      "GET", "/api/v1/events/stream",
      [&store, &streams](const HttpRequest& rq, const PathParams&, const HttpResponder& responder) {
        // A reconnecting client's Last-Event-ID is where it got to; the URL's
        // after= is where it first started, so Last-Event-ID wins.
        std::optional<std::int64_t> after;
        std::optional<std::int64_t> last_event_id;
        if (auto problem = readSequence(queryParameter(rq, "after"), "after", after)) {
          return responder.send(problemResponse(*problem));
        }
        const auto* header = rq.header("Last-Event-ID");
        if (auto problem = readSequence(header ? std::string(trimOws(*header)) : "", "Last-Event-ID", last_event_id)) {
          return responder.send(problemResponse(*problem));
        }
        EventQuery query;
        readEventFilters(rq, query);
        if (last_event_id) after = last_event_id;
        if (after) {
          query.after = *after;
          if (auto gone = goneAfter(store, query.after)) return responder.send(std::move(*gone));
        } else {
          query.after = store.lastSequence();  // no resume point: what is committed from now on
        }
        const auto max_pending = streams.settings().max_buffer_bytes;
        if (!streams.open(query, [&] { return responder.stream(streamHead(), max_pending); })) {
          responder.send(tooManyStreams(streams.settings().max_streams));
        }
      });
}

}  // namespace ccm::core
