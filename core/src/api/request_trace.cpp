#include "api/request_trace.hpp"

#include <Poco/Logger.h>

#include "ccm/sdk/trace_context.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {

EventTrace requestTrace(const HttpRequest& request) {
  auto reading = sdk::readTraceHeaders(request.headers);
  if (reading.problem) {
    logWithFields(Poco::Logger::get("ccm.api"), sdk::LogLevel::Debug, "trace context header ignored",
                  {{"method", request.method},
                   {"target", request.target},
                   {"header", reading.problem->where},
                   {"error", reading.problem->message}});
  }
  return std::move(reading.context);
}

}  // namespace ccm::core
