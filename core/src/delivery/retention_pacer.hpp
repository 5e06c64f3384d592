#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace ccm::core {

// Paces retention's deletes so that they share the store's writer with
// ingest. SQLite has one writer: while a delete batch runs, every ingest
// commit waits for it, so a batch is sized to hold the writer for about
// `target` (its size follows the time the last batch took, halving or
// doubling at most per batch, within [min_size, max_size]). After each batch
// the pacer rests, leaving the writer to ingest: as long as the batch took
// while retention keeps up, and less (down to 1/kMaxRestDivisor of it) for
// every loop that ends behind, so that retention takes the share of the
// writer it needs to keep the store bounded under any sustained ingest
// rate; ingest then slows rather than the disk filling. A target of zero
// paces nothing: every batch is max_size, without a rest (a store whose
// writers do not wait for each other, PostgreSQL).
class RetentionPacer {
public:
  using Clock = std::chrono::steady_clock;
  using Rest = std::function<void(Clock::duration)>;

  static constexpr std::chrono::milliseconds kDefaultTarget{5};
  static constexpr std::size_t kFirstSize = 128;
  static constexpr int kMaxRestDivisor = 16;

  RetentionPacer(std::size_t max_size, std::size_t min_size, std::chrono::milliseconds target = kDefaultTarget,
                 Rest rest = defaultRest);

  // The size of the next batch.
  std::size_t size() const { return size_; }
  // After a batch of size() that held the writer for `took`: the next size,
  // then the rest.
  void pace(Clock::duration took);
  // After a loop of batches: `behind` when it stopped with work left, which
  // halves the rest (at most down to 1/kMaxRestDivisor of the batch's time);
  // otherwise the rest doubles back, at most to the batch's time.
  void loopEnded(bool behind);
  int restDivisor() const { return rest_divisor_; }

private:
  static void defaultRest(Clock::duration how_long);

  std::size_t max_size_;
  std::size_t min_size_;
  Clock::duration target_;
  Rest rest_;
  std::size_t size_;
  int rest_divisor_ = 1;
};

}  // namespace ccm::core
