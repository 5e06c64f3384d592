#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "store/connection_pool.hpp"
#include "store/dialect.hpp"
#include "store/pg_command.hpp"
#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::HasSubstr;

// execPostgres on a pooled connection, as the group commit uses it.
class PgCommand : public StoreTest {
protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (!onPostgresql()) GTEST_SKIP() << "libpq only";
    ASSERT_TRUE(open());  // creates the schema and registers the connector
  }
};

TEST_P(PgCommand, BindsTextAndIntegersAndReadsRowsBack) {
  const Dialect dialect = Dialect::forConfig(config_);
  ConnectionPool pool(dialect, 1, std::chrono::seconds(5));
  auto lease = pool.acquire();
  const PgRows rows = execPostgres(lease->session(), dialect, "SELECT ? || '!', ?::bigint * 2 UNION ALL SELECT 'b', 7",
                                   {std::string("it's"), std::int64_t{4611686018427387903}});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows.text(0, 0), "it's!");
  EXPECT_EQ(rows.integer(0, 1), 9223372036854775806);
  EXPECT_EQ(rows.text(1, 0), "b");
  EXPECT_EQ(rows.integer(1, 1), 7);
  EXPECT_THROW(rows.integer(1, 0), std::runtime_error);
}

TEST_P(PgCommand, AnErrorNamesTheServersMessageAndSqlstate) {
  const Dialect dialect = Dialect::forConfig(config_);
  ConnectionPool pool(dialect, 1, std::chrono::seconds(5));
  auto lease = pool.acquire();
  try {
    execPostgres(lease->session(), dialect, "INSERT INTO no_such_table VALUES (?)", {std::int64_t{1}});
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "ERROR:  relation \"no_such_table\" does not exist\nLINE 1: INSERT INTO no_such_table VALUES ($1)\n      "
              "              ^ (SQLSTATE 42P01)");
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, PgCommand, ::testing::Values("postgresql"));

}  // namespace
}  // namespace ccm::core::store_test
