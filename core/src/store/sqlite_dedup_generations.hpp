#pragma once

#include <Poco/Data/Session.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace ccm::core {

class SqliteStatementCache;

// SQLite's ingress deduplication keys, kept in generations
// (docs/ingress.md#deduplication): one WITHOUT ROWID table keyed by
// (generation, source, event_id), so remembering a key writes one b-tree, not
// a table and its key index. New keys go into the current generation; a key
// is a duplicate while it is in the current or the previous one. The single
// row of ingress_dedup_generations holds the current generation's number and
// the latest expiry of the keys in it and in the previous one. Once every key
// of the previous generation has expired, the generations move on by one and
// the one left behind is deleted in bounded batches from the start of the
// b-tree. A key is thus kept at least until it expires and at most until the
// generation after its own has expired as well.

// The migration that moves an existing rowid table of keys into generation 1.
std::vector<std::string> sqliteDedupGenerationsSchema();

// Remembers `keys` in the current generation, each unless it is in the
// current or previous one already; one flag per key, true where remembered.
std::vector<bool> sqliteRememberIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                                        const std::vector<IngressKey>& keys);

// Forgets keys that this transaction remembered (they are in the current generation).
void sqliteForgetIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                         const std::vector<IngressKey>& keys);

// Moves the generations on if the previous one has expired by `now`
// (sortable), then deletes at most `limit` keys of generations left behind;
// returns how many. Inside a write transaction.
std::size_t sqliteForgetExpiredIngress(Poco::Data::Session& session, const std::string& now, std::size_t limit);

// The expiry a generation records for a key expiring at `sortable`: the end
// of that second, so that a steady stream of keys updates the generations
// row once a second rather than in every commit.
std::string generationExpiresBy(std::string_view sortable);

}  // namespace ccm::core
