#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ccm::core {

// A redrive's states (docs/delivery.md#redrive), as stored in sink_redrives.state.
inline constexpr std::string_view kRedriveActive = "active";
inline constexpr std::string_view kRedriveCompleted = "completed";
inline constexpr std::string_view kRedriveCancelled = "cancelled";

// An operator's request to deliver a range of the event log to a sink again
// (for a consumer that lost what it had received). One row of sink_redrives.
struct SinkRedrive {
  std::string id;
  std::string sink;
  std::int64_t from_sequence = 0;  // first sequence of the range
  std::int64_t to_sequence = 0;    // last sequence of the range
  std::string filter = "{}";       // JSON object: types, subjects, sources, cesql (as a sink's delivery.filter)
  std::int64_t position = 0;       // every event of the range up to here is done; from_sequence - 1 at first
  std::int64_t delivered = 0;      // events the sink acknowledged again
  std::int64_t failed = 0;         // events dead-lettered instead
  std::string state{kRedriveActive};
  std::string created_at;  // RFC 3339
  std::string updated_at;

  bool active() const { return state == kRedriveActive; }
  // Sequences of the range not yet passed (an upper bound: filters skip some).
  std::int64_t remaining() const { return to_sequence > position ? to_sequence - position : 0; }
};

// What one sink's dispatcher did for a redrive since its last write: stored
// with the batch results it belongs to (DeliveryUpdate), so the position and
// the counts move together with the dead letters of the same outcomes.
struct RedriveProgress {
  std::string id;
  std::int64_t position = 0;   // the new position (never moves back)
  std::int64_t delivered = 0;  // added to the stored count
  std::int64_t failed = 0;     // added to the stored count
};

}  // namespace ccm::core
