#include "store/event_record.hpp"

#include "ccm/sdk/codec.hpp"
#include "store/store.hpp"

namespace ccm::core {

EventRecord EventRecord::of(const sdk::CloudEvent& event) {
  if (auto error = sdk::validate(event)) {
    throw StoreError("appendEvent " + event.id + " to event_log: refusing to append an invalid CloudEvent: " +
                     error->message);
  }
  return ofParsed(event);
}

EventRecord EventRecord::ofParsed(const sdk::CloudEvent& event) {
  return {event.id, event.source, event.type, event.subject.value_or(""), event.time.value_or(""),
          sdk::toStructured(event)};
}

}  // namespace ccm::core
