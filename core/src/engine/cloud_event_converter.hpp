#pragma once

#include <functional>
#include <string>

#include "ccm/sdk/cloud_event.hpp"
#include "domain/domain_event.hpp"
#include "domain/uuid.hpp"

namespace ccm::core {

// The one place a DomainEvent becomes a CloudEvent (domain events stay inside
// the engine; the wire format is decided here). Stateless after construction;
// convert() is thread-safe when the injected uuid function is (newUuid is).
class CloudEventConverter {
public:
  using UuidGenerator = std::function<std::string()>;

  // `source` is the configured CLOUDEVENTS_SOURCE (a non-empty URI-reference);
  // `schema_base_url` is the gateway's public base URL, or empty for URN
  // dataschemas (see dataschemaUri in event_catalog.hpp). Throws
  // std::invalid_argument for an empty source or an empty uuid function.
  CloudEventConverter(std::string source, std::string schema_base_url, UuidGenerator uuid = newUuid);

  // id from the uuid function, source, type, subject (omitted when empty),
  // time, datacontenttype application/json, dataschema from the catalog and
  // the data as JSON. Throws std::logic_error for a type not in the catalog:
  // only the payload builders make DomainEvents, so that is a programming error.
  sdk::CloudEvent convert(const DomainEvent& event) const;

private:
  std::string source_;
  std::string schema_base_url_;
  UuidGenerator uuid_;
};

}  // namespace ccm::core
