#include "delivery/redrive_tracker.hpp"

#include <algorithm>

namespace ccm::core {

RedriveTracker::RedriveTracker(SinkRedrive redrive)
    : redrive_(std::move(redrive)),
      filter_(sinkFilterFromJson(redrive_.filter)),
      read_position_(redrive_.position),
      saved_position_(redrive_.position) {}

bool RedriveTracker::take(const StoredEvent& stored, bool sink_wants) {
  if (stored.sequence <= read_position_ || stored.sequence > redrive_.to_sequence) return false;
  read_position_ = stored.sequence;
  if (!sink_wants || !filter_.matches(stored.event)) return false;
  outstanding_.insert(stored.sequence);
  return true;
}

void RedriveTracker::readThrough(std::int64_t sequence) {
  read_position_ = std::max(read_position_, std::min(sequence, redrive_.to_sequence));
}

void RedriveTracker::finished(std::int64_t sequence, bool delivered) {
  if (outstanding_.erase(sequence) == 0) return;
  ++(delivered ? redrive_.delivered : redrive_.failed);
  ++(delivered ? unsaved_delivered_ : unsaved_failed_);
}

std::int64_t RedriveTracker::position() const {
  return outstanding_.empty() ? read_position_ : *outstanding_.begin() - 1;
}

std::optional<RedriveProgress> RedriveTracker::takeProgress() {
  const std::int64_t now_at = position();
  redrive_.position = now_at;
  if (now_at == saved_position_ && unsaved_delivered_ == 0 && unsaved_failed_ == 0) return std::nullopt;
  RedriveProgress progress{redrive_.id, now_at, unsaved_delivered_, unsaved_failed_};
  saved_position_ = now_at;
  unsaved_delivered_ = unsaved_failed_ = 0;
  return progress;
}

}  // namespace ccm::core
