#pragma once

#include <cstdint>
#include <optional>
#include <set>

#include "delivery/delivery_settings.hpp"
#include "store/store.hpp"

namespace ccm::core {

// A sink's active redrive as its dispatcher works through it
// (docs/delivery.md#redrive): which events of the range it has read from the
// log, which are still out, and the position and counts to store. The
// position is like a cursor: every event of the range up to it is done
// (delivered, dead-lettered, or not passed by the filters). No I/O; used by
// the dispatcher's loop thread only.
class RedriveTracker {
public:
  // Throws std::invalid_argument when the stored filter does not compile
  // (the API checked it; a broken row is not delivered).
  explicit RedriveTracker(SinkRedrive redrive);

  const SinkRedrive& redrive() const { return redrive_; }
  // The next read of the log starts after this sequence.
  std::int64_t readPosition() const { return read_position_; }
  bool allRead() const { return read_position_ >= redrive_.to_sequence; }
  // `stored` was read from the log: true when it is to be sent again (inside
  // the range, wanted by the sink's own filter and by the redrive's). It is
  // then out until finished().
  bool take(const StoredEvent& stored, bool sink_wants);
  // The log has nothing more up to `sequence` (the end of what was read).
  void readThrough(std::int64_t sequence);
  void finished(std::int64_t sequence, bool delivered);
  // Every event of the range is done.
  bool complete() const { return allRead() && outstanding_.empty(); }
  std::int64_t position() const;
  // What changed since the last call, for the next DeliveryUpdate.
  std::optional<RedriveProgress> takeProgress();

private:
  SinkRedrive redrive_;
  SinkFilter filter_;
  std::int64_t read_position_;
  std::set<std::int64_t> outstanding_;
  std::int64_t saved_position_;
  std::int64_t unsaved_delivered_ = 0;
  std::int64_t unsaved_failed_ = 0;
};

}  // namespace ccm::core
