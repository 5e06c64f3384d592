#include "api/delivery_attempt_routes.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>

#include "api/json_request.hpp"

namespace ccm::core {
namespace {

std::optional<std::int64_t> positiveSequence(const std::string& text) {
  std::int64_t sequence = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), sequence);
  if (error != std::errc() || end != text.data() + text.size() || sequence < 1) return std::nullopt;
  return sequence;
}

std::string attemptsJson(const std::vector<DeliveryAttempt>& attempts) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  for (const auto& attempt : attempts) {
    w.StartObject();
    w.Key("sink");
    w.String(attempt.sink);
    w.Key("sequence");
    w.Int64(attempt.sequence);
    w.Key("attempt");
    w.Int(attempt.attempt);
    w.Key("replay");
    w.Bool(attempt.replay);
    w.Key("attempted_at");
    w.String(attempt.attempted_at);
    w.Key("outcome");
    w.String(attempt.outcome);
    w.Key("http_status");
    if (attempt.http_status)
      w.Int(*attempt.http_status);
    else
      w.Null();
    w.Key("error");
    w.String(attempt.error);
    w.Key("latency_ms");
    w.Double(static_cast<double>(attempt.latency_us) / 1000.0);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return buffer.GetString();
}

}  // namespace

void addDeliveryAttemptRoutes(Router& router, Store& store) {
  router.add("GET", "/api/v1/events/{sequence}/deliveries", [&store](const HttpRequest& rq, const PathParams& p) {
    const std::string& text = p.at("sequence");
    const auto sequence = positiveSequence(text);
    if (!sequence) {
      return problemResponse(
          Error::invalid("the event's sequence must be a positive integer, got \"" + text + "\"", "sequence"));
    }
    DeliveryAttemptQuery query;
    query.sequence = *sequence;
    query.sink = queryParameter(rq, "sink");
    if (auto problem = readPaging(rq, query.limit, query.offset)) return problemResponse(*problem);
    const auto attempts = store.deliveryAttempts(query);
    // An event retention deleted keeps its attempts until they age out.
    if (attempts.empty() && query.offset == 0 && !store.readEvent(*sequence)) {
      return problemResponse(
          Error::notFound("event " + text + " is not in the event log and has no delivery attempts"));
    }
    return jsonResponse(200, attemptsJson(attempts));
  });
}

}  // namespace ccm::core
