#include "engine/cloud_event_converter.hpp"

#include <stdexcept>
#include <utility>

#include "engine/event_catalog.hpp"

namespace ccm::core {

CloudEventConverter::CloudEventConverter(std::string source, std::string schema_base_url, UuidGenerator uuid)
    : source_(std::move(source)), schema_base_url_(std::move(schema_base_url)), uuid_(std::move(uuid)) {
  // Configuration is validated before the engine is built, so these are bugs.
  if (source_.empty()) throw std::invalid_argument("CloudEventConverter: source must not be empty");
  if (!uuid_) throw std::invalid_argument("CloudEventConverter: uuid function must be callable");
}

sdk::CloudEvent CloudEventConverter::convert(const DomainEvent& event) const {
  if (findEventType(event.type) == nullptr) {
    throw std::logic_error("CloudEventConverter: event type \"" + event.type + "\" (subject \"" + event.subject +
                           "\") is not in the event catalog");
  }
  sdk::CloudEvent cloud_event;
  cloud_event.id = uuid_();
  cloud_event.source = source_;
  cloud_event.type = event.type;
  cloud_event.datacontenttype = "application/json";
  cloud_event.dataschema = dataschemaUri(schema_base_url_, event.type);
  // CloudEvents 1.0.2: subject, when present, must be non-empty.
  if (!event.subject.empty()) cloud_event.subject = event.subject;
  cloud_event.time = event.time;
  cloud_event.data = sdk::Data::json(event.data);
  return cloud_event;
}

}  // namespace ccm::core
