#pragma once

#include <string>
#include <vector>

#include "store/dialect.hpp"

namespace ccm::core {

// One schema change. Versions start at 1 and increase by one; a released
// migration is never edited, only followed by a new one (migrations.cpp).
struct Migration {
  int version = 0;
  std::vector<std::string> statements;  // in the dialect's SQL
};

// Every migration this binary knows, oldest first.
std::vector<Migration> migrations(const Dialect& dialect);

// The version a database has once every migration is applied.
int latestSchemaVersion();

// Applies the missing migrations in one transaction and returns the schema
// version. Throws StoreError when the database is newer than this binary.
int applyMigrations(Poco::Data::Session& session, const Dialect& dialect);

}  // namespace ccm::core
