#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "domain/error.hpp"
#include "http/http_message.hpp"
#include "store/store.hpp"

// What the event log's readers share (GET /api/v1/events and its stream):
// the resume point and filters of a request, and the check that retention
// still keeps what a caller asks for.
namespace ccm::core {

// Reads a sequence number given as `text` by the query parameter or header
// `name` into `sequence` (left unset when `text` is empty); the 400 problem
// when it is not a non-negative integer.
std::optional<Error> readSequence(const std::string& text, const std::string& name,
                                  std::optional<std::int64_t>& sequence);

// The type (glob) and subject filters of a request, into `query`.
void readEventFilters(const HttpRequest& request, EventQuery& query);

// The 410 answer when retention deleted events after `after` (the caller
// would silently miss them), naming the oldest sequence kept; std::nullopt
// when the log still holds everything after it.
std::optional<HttpResponse> goneAfter(Store& store, std::int64_t after);

}  // namespace ccm::core
