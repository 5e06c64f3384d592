#pragma once

#include <string>
#include <vector>

#include "engine/cloud_event_converter.hpp"
#include "domain/domain_event.hpp"
#include "store/store.hpp"

namespace ccm::core {

// One command's transaction plus its clock reading. record() converts a domain
// event at the boundary and appends it to the event log in the same
// transaction as the aggregate change (the outbox).
class UnitOfWork {
public:
  UnitOfWork(Transaction& tx, const CloudEventConverter& converter, std::string now)
      : tx_(tx), converter_(converter), now_(std::move(now)) {}

  Transaction& tx() { return tx_; }
  const std::string& now() const { return now_; }
  void record(const DomainEvent& event) { tx_.appendEvent(converter_.convert(event)); }

private:
  Transaction& tx_;
  const CloudEventConverter& converter_;
  std::string now_;
};

}  // namespace ccm::core
