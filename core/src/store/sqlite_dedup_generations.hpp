#pragma once

#include <Poco/Data/Session.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "store/dialect.hpp"
#include "store/store.hpp"

namespace ccm::core {

class SqliteStatementCache;

// SQLite's ingress deduplication keys, kept in generations
// (docs/ingress.md#deduplication). One WITHOUT ROWID table keyed by (source,
// event_id), its generation a column: remembering a key is one upsert into
// one b-tree, where a rowid table with a key index wrote two. New keys go
// into the current generation; a key is a duplicate while its generation is
// the current or the previous one, and a key of an older generation is
// taken as new again (the upsert moves it to the current one).
//
// The single row of ingress_dedup_generations holds the current generation,
// the latest expiry of the keys in it and in the previous one, and a sweep's
// progress. Once every key of the previous generation has expired, the
// generations move on by one. A sweep then walks the table in key order, a
// bounded batch a call, deleting the keys of generations left behind. A key
// is thus kept at least until it expires, and at most until every key of its
// generation has expired and a sweep has passed it: with a steady TTL a
// generation spans about one TTL, so about two TTLs.

// Remembers `keys` in the current generation, each unless it is in the
// current or previous one already; one flag per key, true where remembered.
std::vector<bool> sqliteRememberIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                                        const std::vector<IngressKey>& keys);

// Forgets keys that this transaction remembered (they are in the current generation).
void sqliteForgetIngress(Poco::Data::Session& session, SqliteStatementCache* cache,
                         const std::vector<IngressKey>& keys);

// Moves the generations on if the previous one has expired by `now`
// (sortable), then sweeps on over at most `limit` keys, deleting those of
// generations left behind. Inside a write transaction.
ExpiredKeysPass sqliteForgetExpiredIngress(Poco::Data::Session& session, const Dialect& dialect,
                                           const std::string& now, std::size_t limit);

// The expiry a generation records for a key expiring at `sortable`: the end
// of that second, so that a steady stream of keys updates the generations
// row once a second rather than in every commit.
std::string generationExpiresBy(std::string_view sortable);

}  // namespace ccm::core
