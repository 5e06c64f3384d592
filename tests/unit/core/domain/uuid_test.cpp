#include "domain/uuid.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace ccm::core {
namespace {

// RFC 4122 section 4.4: version nibble 4, variant bits 10 (8, 9, a or b).
bool isUuidV4(const std::string& id) {
  static const std::regex kShape("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  return std::regex_match(id, kShape);
}

TEST(CloudEventConverterUuid, IsVersion4WithRfc4122Variant) {
  for (int i = 0; i < 200; ++i) {
    const auto id = newUuid();
    ASSERT_TRUE(isUuidV4(id)) << id;
  }
}

TEST(CloudEventConverterUuid, AreDistinct) {
  std::set<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.insert(newUuid());
  EXPECT_EQ(ids.size(), 10000u);
}

// Each thread seeds its own generator; two threads must not replay one sequence.
TEST(CloudEventConverterUuid, AreDistinctAcrossThreads) {
  std::vector<std::string> first, second;
  std::thread a([&first] {
    for (int i = 0; i < 1000; ++i) first.push_back(newUuid());
  });
  std::thread b([&second] {
    for (int i = 0; i < 1000; ++i) second.push_back(newUuid());
  });
  a.join();
  b.join();
  std::set<std::string> ids(first.begin(), first.end());
  ids.insert(second.begin(), second.end());
  EXPECT_EQ(ids.size(), 2000u);
}

}  // namespace
}  // namespace ccm::core
