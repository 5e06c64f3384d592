#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

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

// The server reads every element back exactly: the characters an array
// literal gives meaning to (quotes, backslashes, commas, braces, spaces,
// NULL's spelling), an empty string, multibyte UTF-8, in order.
TEST_P(PgCommand, AnArrayLiteralCarriesEveryElementExactlyAndInOrder) {
  const Dialect dialect = Dialect::forConfig(config_);
  ConnectionPool pool(dialect, 1, std::chrono::seconds(5));
  auto lease = pool.acquire();
  const std::vector<std::string> texts{
      R"({"data":{"a":"b\"c","d":[1,2]}})", "", "NULL", " lead and trail ", "back\\slash\\", "caf\xc3\xa9 \xe2\x82\xac", "{,}"};
  PgArrayLiteral text_array;
  PgArrayLiteral number_array;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    text_array.add(texts[i]);
    number_array.add(static_cast<std::int64_t>(i) - 3);
  }
  const PgRows rows = execPostgres(lease->session(), dialect,
                                   "SELECT t, n, t IS NULL FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS r (t, n, o)"
                                   " ORDER BY o",
                                   {text_array.take(), number_array.take()});
  ASSERT_EQ(rows.size(), texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    EXPECT_EQ(rows.text(i, 0), texts[i]) << i;
    EXPECT_EQ(rows.integer(i, 1), static_cast<std::int64_t>(i) - 3) << i;
    EXPECT_EQ(rows.text(i, 2), "f") << i;
  }
  // take() leaves an empty literal to build the next one.
  EXPECT_EQ(text_array.take(), "{}");
}

INSTANTIATE_TEST_SUITE_P(Backends, PgCommand, ::testing::Values("postgresql"));

}  // namespace
}  // namespace ccm::core::store_test
