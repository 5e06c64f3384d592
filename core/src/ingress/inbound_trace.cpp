#include "ingress/inbound_trace.hpp"

#include <Poco/Logger.h>

#include "ccm/sdk/trace_context.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

void logIgnored(const sdk::Error& problem, sdk::LogFields fields) {
  fields.emplace_back("attribute", problem.where);
  fields.emplace_back("error", problem.message);
  logWithFields(Poco::Logger::get("ccm.ingress"), sdk::LogLevel::Debug, "trace context ignored", fields);
}

}  // namespace

std::vector<EventTrace> inboundTraces(const std::vector<sdk::CloudEvent>& events, const sdk::Headers& headers) {
  auto transport = sdk::readTraceHeaders(headers);
  if (transport.problem) logIgnored(*transport.problem, {{"carrier", "header"}});
  std::vector<EventTrace> traces;
  traces.reserve(events.size());
  for (const auto& event : events) {
    auto own = sdk::readTraceExtensions(event);
    if (own.problem) logIgnored(*own.problem, {{"carrier", "extension"}, {"id", event.id}, {"type", event.type}});
    traces.push_back(own.context ? std::move(own.context) : transport.context);
  }
  return traces;
}

}  // namespace ccm::core
