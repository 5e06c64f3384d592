// The dispatcher's part of a redrive (docs/delivery.md#redrive): reading the
// sink's active redrive from the store, its events from the log, and handing
// its progress to the saver with the batch results it belongs to. The
// batches themselves go through selectBatches and applyCompletions with the
// sink's other events (dispatcher.cpp).
#include <Poco/Logger.h>

#include "delivery/dispatcher.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto kRedrivePollInterval = std::chrono::seconds(1);
constexpr std::size_t kRedriveReadChunk = 1000;
// Reads of the log per loop turn: a range the filters mostly skip must not
// hold the loop (and new events) for the whole range at once.
constexpr int kRedriveReadsPerTurn = 8;

Poco::Logger& log() {
  return Poco::Logger::get("ccm.delivery");
}

}  // namespace

void Dispatcher::loadRedrive(bool force) {
  const auto now = SteadyClock::now();
  if (!force && now < next_redrive_poll_) return;
  // A plain read, like the pause's: polling must not take the write lock.
  std::optional<SinkRedrive> active = store_.activeRedrive(name_);
  next_redrive_poll_ = now + kRedrivePollInterval;
  // Completed here, and the write that says so may not have happened yet.
  if (active && active->id == finished_redrive_id_) active.reset();
  if (redrive_ && (!active || active->id != redrive_->redrive().id)) {
    // Cancelled: what is not in flight is dropped; what is, is not counted.
    handOverRedriveProgress();
    logWithFields(log(), sdk::LogLevel::Info, "redrive stopped",
                  {{"sink", name_},
                   {"redrive", redrive_->redrive().id},
                   {"position", std::to_string(redrive_->position())},
                   {"delivered", std::to_string(redrive_->redrive().delivered)}});
    std::erase_if(redriven_, [](const auto& entry) { return !entry.second.in_flight; });
    redrive_.reset();
  }
  if (!active || redrive_) return;
  const std::string id = active->id;
  try {
    redrive_.emplace(std::move(*active));
  } catch (const std::invalid_argument& e) {
    // The API compiled the filter before storing it; a row broken since is left alone.
    finished_redrive_id_ = id;
    logWithFields(log(), sdk::LogLevel::Error, "cannot redrive: stored filter does not compile",
                  {{"sink", name_}, {"redrive", id}, {"error", e.what()}});
    return;
  }
  const auto& redrive = redrive_->redrive();
  logWithFields(log(), sdk::LogLevel::Info, "redriving",
                {{"sink", name_},
                 {"redrive", id},
                 {"from_sequence", std::to_string(redrive.from_sequence)},
                 {"to_sequence", std::to_string(redrive.to_sequence)},
                 {"position", std::to_string(redrive.position)}});
}

void Dispatcher::refillRedrive() {
  if (!redrive_) return;
  const std::size_t capacity =
      std::max<std::size_t>(kRedriveReadChunk, settings_.batch_size * settings_.concurrency * 4);
  const auto now = SteadyClock::now();
  const std::int64_t to = redrive_->redrive().to_sequence;
  for (int reads = 0; reads < kRedriveReadsPerTurn && !redrive_->allRead() && redriven_.size() < capacity; ++reads) {
    const auto events = store_.readEvents({redrive_->readPosition(), "", "", kRedriveReadChunk});
    for (const auto& stored : events) {
      if (stored.sequence > to) break;
      if (!redrive_->take(stored, settings_.filter.matches(stored.event))) continue;
      Pending pending;
      pending.stored = stored;
      pending.seen_at = now;
      redriven_.emplace(stored.sequence, std::move(pending));
    }
    // A short read is the end of the log; retention may have left gaps.
    redrive_->readThrough(events.size() < kRedriveReadChunk ? to : events.back().sequence);
  }
  // Stretches the filters skip move the position without any batch.
  handOverRedriveProgress();
  finishRedriveIfComplete();
}

void Dispatcher::handOverRedriveProgress() {
  if (!redrive_) return;
  auto progress = redrive_->takeProgress();
  if (!progress) return;
  std::lock_guard lock(save_mutex_);
  unsaved_.redrives.push_back(std::move(*progress));
  unsaved_since_ = SteadyClock::now();
}

void Dispatcher::finishRedriveIfComplete() {
  if (!redrive_ || !redrive_->complete()) return;
  handOverRedriveProgress();  // its position reaches to_sequence: the store marks it completed
  const auto& redrive = redrive_->redrive();
  logWithFields(log(), sdk::LogLevel::Info, "redrive completed",
                {{"sink", name_},
                 {"redrive", redrive.id},
                 {"from_sequence", std::to_string(redrive.from_sequence)},
                 {"to_sequence", std::to_string(redrive.to_sequence)},
                 {"delivered", std::to_string(redrive.delivered)},
                 {"failed", std::to_string(redrive.failed)}});
  finished_redrive_id_ = redrive.id;
  redrive_.reset();
}

}  // namespace ccm::core
