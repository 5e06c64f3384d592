#pragma once

#include <string>

#include "api/json_request.hpp"
#include "api/router.hpp"
#include "api/resource_json.hpp"
#include "store/store.hpp"

namespace ccm::core {

// GET `path` (ending in {id}): the row `find(transaction, id)` reads, as JSON,
// or 404 naming the `kind` of row that does not exist.
template <class Find>
void addGetByIdRoute(Router& router, const std::string& path, Store& store, std::string kind, Find find) {
  router.add("GET", path,
             [&store, kind = std::move(kind), find](const HttpRequest&, const PathParams& p) {
               auto transaction = store.begin();
               const auto row = find(*transaction, p.at("id"));
               if (!row) return problemResponse(Error::notFound(kind + " " + p.at("id") + " does not exist"));
               return jsonResponse(200, resourceJson(*row));
             });
}

}  // namespace ccm::core
