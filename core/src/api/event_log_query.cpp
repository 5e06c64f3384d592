#include "api/event_log_query.hpp"

#include "api/error_status.hpp"
#include "api/json_request.hpp"

namespace ccm::core {

std::optional<Error> readSequence(const std::string& text, const std::string& name,
                                  std::optional<std::int64_t>& sequence) {
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const auto value = std::stoll(text, &used);
    if (used != text.size() || value < 0) throw std::invalid_argument(text);
    sequence = value;
  } catch (const std::exception&) {
    return Error::invalid(name + " must be a non-negative sequence number, got \"" + text + "\"", name);
  }
  return std::nullopt;
}

void readEventFilters(const HttpRequest& request, EventQuery& query) {
  query.type_glob = queryParameter(request, "type");
  query.subject = queryParameter(request, "subject");
}

std::optional<HttpResponse> goneAfter(Store& store, std::int64_t after) {
  const auto first = store.firstSequence();
  if (after + 1 >= first) return std::nullopt;
  return problemResponse(httpStatus(ErrorCategory::Gone),
                         "events after " + std::to_string(after) +
                             " are no longer kept (store.retention); the oldest is " + std::to_string(first) +
                             ": ask again with after=" + std::to_string(first - 1),
                         {{"first_sequence", static_cast<std::uint64_t>(first)}});
}

}  // namespace ccm::core
