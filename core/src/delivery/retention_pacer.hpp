#pragma once

#include <chrono>
#include <cstddef>
#include <functional>

namespace ccm::core {

// Paces retention's deletes so that they share the store's writer with
// ingest. SQLite has one writer: while a delete batch runs, every ingest
// commit waits for it, so a batch is sized to hold the writer for about
// `target` (its size follows the time the last batch took, halving or
// doubling at most per batch, within [min_size, max_size]), and after each
// batch the pacer rests as long as the batch took, so that ingest gets at
// least half of the writer while retention catches up. A target of zero
// paces nothing: every batch is max_size, without a rest (a store whose
// writers do not wait for each other, PostgreSQL).
class RetentionPacer {
public:
  using Clock = std::chrono::steady_clock;
  using Rest = std::function<void(Clock::duration)>;

  static constexpr std::chrono::milliseconds kDefaultTarget{5};
  static constexpr std::size_t kFirstSize = 128;

  RetentionPacer(std::size_t max_size, std::size_t min_size, std::chrono::milliseconds target = kDefaultTarget,
                 Rest rest = defaultRest);

  // The size of the next batch.
  std::size_t size() const { return size_; }
  // After a batch of size() that held the writer for `took`: the next size,
  // then the rest.
  void pace(Clock::duration took);

private:
  static void defaultRest(Clock::duration how_long);

  std::size_t max_size_;
  std::size_t min_size_;
  Clock::duration target_;
  Rest rest_;
  std::size_t size_;
};

}  // namespace ccm::core
