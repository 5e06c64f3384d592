#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ingress_key_owners.hpp"

namespace ccm::core {
namespace {

using ::testing::IsEmpty;

std::vector<std::string> idsOf(const std::vector<IngressKey>& keys) {
  std::vector<std::string> ids;
  for (const auto& key : keys) ids.push_back(key.source + "/" + key.id);
  return ids;
}

// Three requests of one group: [x], [x, y], [x]; the store flagged the first x and y.
const std::vector<IngressKey> kGroup{{"s", "x", "t"}, {"s", "x", "t"}, {"s", "y", "t"}, {"s", "x", "t"}};

TEST(IngressKeyOwners, TheRememberedCopyIsAppliedAndLaterCopiesAreDuplicates) {
  IngressKeyOwners owners(kGroup, {true, false, true, false});
  EXPECT_TRUE(owners.take(0));
  EXPECT_FALSE(owners.take(1));
  EXPECT_TRUE(owners.take(2));
  EXPECT_FALSE(owners.take(3));
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, ARefusedCopyPassesItsKeyToTheNextCopy) {
  IngressKeyOwners owners(kGroup, {true, false, true, false});
  ASSERT_TRUE(owners.take(0));
  owners.refuse({0});
  EXPECT_TRUE(owners.take(1));   // the second request now applies x
  EXPECT_TRUE(owners.take(2));
  EXPECT_FALSE(owners.take(3));  // and the third's x is a duplicate again
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, AKeyPassedOnAndRefusedAgainGoesToTheCopyAfter) {
  IngressKeyOwners owners(kGroup, {true, false, true, false});
  owners.take(0);
  owners.refuse({0});
  ASSERT_TRUE(owners.take(1));
  ASSERT_TRUE(owners.take(2));
  owners.refuse({1, 2});
  EXPECT_TRUE(owners.take(3));
  EXPECT_THAT(idsOf(owners.unowned()), ::testing::ElementsAre("s/y"));  // y had no later copy
}

TEST(IngressKeyOwners, KeysOfRefusedCopiesWithoutALaterCopyAreForgotten) {
  IngressKeyOwners owners(kGroup, {true, false, true, false});
  owners.take(0);
  owners.take(1);
  owners.take(2);
  owners.take(3);
  owners.refuse({2});
  EXPECT_THAT(idsOf(owners.unowned()), ::testing::ElementsAre("s/y"));
}

TEST(IngressKeyOwners, ADuplicateOfAnEarlierCommitStaysADuplicateWhateverIsRefused) {
  // The store flagged nothing: every key was remembered by an earlier commit.
  IngressKeyOwners owners(kGroup, {false, false, false, false});
  owners.refuse({});
  for (std::size_t i = 0; i < kGroup.size(); ++i) EXPECT_FALSE(owners.take(i));
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, OneFlagPerKeyIsRequired) {
  EXPECT_THROW(IngressKeyOwners(kGroup, {true}), std::logic_error);
}

}  // namespace
}  // namespace ccm::core
