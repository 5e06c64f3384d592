// SqlStore's event log retention (store.retention): bounded deletes of the
// oldest events, the skips they force on sinks behind, and giving SQLite's
// free pages back.
#include <algorithm>
#include <limits>

#include "ccm/sdk/time.hpp"
#include "store/sql_statement.hpp"
#include "store/sql_store.hpp"

namespace ccm::core {

using Poco::Data::Keywords::into;

namespace {

// The newest rows estimate the log's bytes per event: cheap (the primary
// key's end) and close enough for a limit on an append-only log.
constexpr std::int64_t kBytesSampleRows = 1000;

struct SinkCursor {
  std::string sink;
  std::int64_t position = 0;
};

}  // namespace

RetentionPass SqlStore::pruneEventLog(const RetentionLimits& limits, const std::vector<std::string>& consumers) {
  return inTransaction("pruneEventLog", [&](Poco::Data::Session& session) {
    RetentionPass pass;
    // Counted up to what readers may see: nothing not yet durable is deleted.
    const std::int64_t last =
        std::min(queryInteger(session, dialect_, "SELECT value FROM event_sequence WHERE name = 'event_log'"),
                 durable_->durable());
    // Sequences at or below `released` are over the count or byte limit.
    std::int64_t released = std::numeric_limits<std::int64_t>::min();
    if (limits.max_events) released = std::max(released, last - *limits.max_events);
    if (limits.max_bytes) {
      const std::int64_t per_event = queryInteger(
          session, dialect_,
          "SELECT COALESCE(CAST(AVG(bytes) AS BIGINT), 0) FROM (SELECT LENGTH(body) + LENGTH(event_id) +"
          " LENGTH(source) + LENGTH(type) + LENGTH(subject) + LENGTH(time) + LENGTH(recorded_at) + 8 AS bytes"
          " FROM event_log ORDER BY sequence DESC LIMIT ?) newest",
          {kBytesSampleRows});
      if (per_event > 0) released = std::max(released, last - *limits.max_bytes / per_event);
    }

    std::vector<Poco::Int64> sequences;
    std::vector<std::string> recorded;
    auto statement = prepare(session, dialect_, "SELECT sequence, recorded_at FROM event_log ORDER BY sequence LIMIT ?",
                             {static_cast<std::int64_t>(limits.batch_size)});
    statement, into(sequences), into(recorded);
    statement.execute();

    std::vector<SinkCursor> cursors;
    for (const auto& sink : consumers) {
      const auto position =
          queryIntegers(session, dialect_, "SELECT position FROM sink_cursors WHERE sink = ?", {sink});
      if (!position.empty()) cursors.push_back({sink, position.front()});
    }
    std::int64_t passed_by_all = std::numeric_limits<std::int64_t>::max();
    for (const auto& cursor : cursors) passed_by_all = std::min(passed_by_all, cursor.position);
    // A sink's active redrive reads the log too: what it has not reached stays
    // unless forced (docs/delivery.md#redrive).
    for (const auto& sink : consumers) {
      for (const auto position : queryIntegers(
               session, dialect_, "SELECT position FROM sink_redrives WHERE sink = ? AND state = 'active'", {sink})) {
        passed_by_all = std::min(passed_by_all, position);
      }
    }

    // Oldest first; the first event that may not go ends the pass.
    std::size_t deletable = 0;
    for (; deletable < sequences.size() && sequences[deletable] <= last; ++deletable) {
      const bool over_limit = sequences[deletable] <= released ||
                              (!limits.recorded_before.empty() && recorded[deletable] < limits.recorded_before);
      if (!over_limit) break;
      const bool forced = !limits.force_recorded_before.empty() && recorded[deletable] < limits.force_recorded_before;
      if (sequences[deletable] > passed_by_all && !forced) break;
    }
    if (deletable == 0) return pass;
    const std::int64_t upto = sequences[deletable - 1];

    const std::string now = sdk::formatRfc3339(std::chrono::system_clock::now());
    for (const auto& cursor : cursors) {
      if (cursor.position >= upto) continue;
      SkippedEvents skipped{cursor.sink, 0, upto, 0, now};
      for (std::size_t i = 0; i < deletable; ++i) {
        if (sequences[i] <= cursor.position) continue;
        if (skipped.events++ == 0) skipped.first_sequence = sequences[i];
      }
      if (skipped.events == 0) continue;
      run(session, dialect_,
          "INSERT INTO sink_skips (sink, first_sequence, last_sequence, events, reason, skipped_at)"
          " VALUES (?, ?, ?, ?, ?, ?)",
          {skipped.sink, skipped.first_sequence, skipped.last_sequence, skipped.events,
           std::string("retention.force_after_seconds"), now});
      for (const char* table : {"sink_retries", "sink_delivered"}) {
        run(session, dialect_, std::string("DELETE FROM ") + table + " WHERE sink = ? AND sequence <= ?",
            {skipped.sink, upto});
      }
      pass.skipped.push_back(std::move(skipped));
    }
    pass.deleted =
        static_cast<std::int64_t>(run(session, dialect_, "DELETE FROM event_log WHERE sequence <= ?", {upto}));
    pass.more = deletable == sequences.size() && sequences.size() == limits.batch_size;
    return pass;
  });
}

std::int64_t SqlStore::firstSequence() {
  return guarded("firstSequence of event_log", [&] {
    auto lease = pool_.acquire();
    const std::int64_t first = queryInteger(lease->session(), dialect_,
                                            "SELECT COALESCE((SELECT MIN(sequence) FROM event_log),"
                                            " (SELECT value + 1 FROM event_sequence WHERE name = 'event_log'))");
    // Past lastSequence() + 1 only by events not yet durable (unread).
    const std::int64_t durable = durable_->durable();
    return first - 1 > durable ? durable + 1 : first;
  });
}

std::vector<SkippedEvents> SqlStore::sinkSkips(const std::string& sink, std::size_t limit, std::size_t offset) {
  return guarded("sinkSkips " + sink, [&] {
    auto lease = pool_.acquire();
    std::vector<Poco::Int64> first, last, events;
    std::vector<std::string> at;
    auto statement = prepare(lease->session(), dialect_,
                             "SELECT first_sequence, last_sequence, events, skipped_at FROM sink_skips WHERE sink = ?"
                             " ORDER BY last_sequence DESC LIMIT ? OFFSET ?",
                             {sink, static_cast<std::int64_t>(limit), static_cast<std::int64_t>(offset)});
    statement, into(first), into(last), into(events), into(at);
    statement.execute();
    std::vector<SkippedEvents> skips;
    for (std::size_t i = 0; i < first.size(); ++i) skips.push_back({sink, first[i], last[i], events[i], at[i]});
    return skips;
  });
}

FileSpace SqlStore::fileSpace() {
  if (dialect_.driver() != StoreDriver::Sqlite) return {};
  return guarded("fileSpace", [&] {
    auto lease = pool_.acquire();
    auto& session = lease->session();
    return FileSpace{queryInteger(session, dialect_, "PRAGMA page_count"),
                     queryInteger(session, dialect_, "PRAGMA freelist_count")};
  });
}

std::int64_t SqlStore::releaseFreePages(std::int64_t pages) {
  if (dialect_.driver() != StoreDriver::Sqlite || pages <= 0) return 0;
  return guarded("releaseFreePages", [&] {
    auto writer = writerLock();
    const WriteTimer timer;
    auto lease = pool_.acquire();
    auto& session = lease->session();
    const std::int64_t before = queryInteger(session, dialect_, "PRAGMA freelist_count");
    // Moves pages from the end of the file into free ones and truncates it:
    // the work grows with `pages`, which the caller keeps small.
    run(session, dialect_, "PRAGMA incremental_vacuum(" + std::to_string(pages) + ")");
    return before - queryInteger(session, dialect_, "PRAGMA freelist_count");
  });
}

}  // namespace ccm::core
