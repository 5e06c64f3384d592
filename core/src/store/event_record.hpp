#pragma once

#include <string>

#include "ccm/sdk/cloud_event.hpp"

namespace ccm::core {

// An event as the event log stores it: the attributes it is queried by and
// its structured-mode JSON. Built before the transaction, so that a group
// commit's serialisation runs on the callers' threads, not inside the commit.
struct EventRecord {
  std::string id;
  std::string source;
  std::string type;
  std::string subject;
  std::string time;
  std::string body;

  // Validates `event` against the CloudEvents spec (StoreError naming the
  // event and the rule when it breaks it) and serialises it.
  static EventRecord of(const sdk::CloudEvent& event);
  // For an event the SDK codec has just parsed, and so validated.
  static EventRecord ofParsed(const sdk::CloudEvent& event);
};

}  // namespace ccm::core
