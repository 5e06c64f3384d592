#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/ingress_key_owners.hpp"

namespace ccm::core {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> idsOf(const std::vector<IngressKey>& keys) {
  std::vector<std::string> ids;
  for (const auto& key : keys) ids.push_back(key.source + "/" + key.id);
  return ids;
}

// Three requests of one group: [x] at 0, [x, y] at 1-2, [x] at 3; the store
// flagged the first x and y.
const std::vector<IngressKey> kGroup{{"s", "x", "t"}, {"s", "x", "t"}, {"s", "y", "t"}, {"s", "x", "t"}};
const std::vector<bool> kRemembered{true, false, true, false};

TEST(IngressKeyOwners, TheRememberedCopyIsAppliedAndLaterCopiesAreDuplicates) {
  IngressKeyOwners owners(kGroup, kRemembered);
  EXPECT_TRUE(owners.take(0));
  EXPECT_FALSE(owners.take(1));
  EXPECT_TRUE(owners.take(2));
  EXPECT_FALSE(owners.take(3));
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, ARefusedCopyPassesItsKeyToTheNextCopy) {
  IngressKeyOwners owners(kGroup, kRemembered);
  ASSERT_TRUE(owners.take(0));
  owners.refuse(0, 1);
  EXPECT_TRUE(owners.take(1));   // the second request now applies x
  EXPECT_TRUE(owners.take(2));
  EXPECT_FALSE(owners.take(3));  // and the third's x is a duplicate again
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, AKeyPassedOnAndRefusedAgainGoesToTheCopyAfter) {
  IngressKeyOwners owners(kGroup, kRemembered);
  owners.take(0);
  owners.refuse(0, 1);
  ASSERT_TRUE(owners.take(1));
  ASSERT_TRUE(owners.take(2));
  owners.refuse(1, 3);
  EXPECT_TRUE(owners.take(3));
  EXPECT_THAT(idsOf(owners.unowned()), ElementsAre("s/y"));  // y had no later copy
}

TEST(IngressKeyOwners, KeysOfEventsAfterTheRefusedOneAreReleasedToo) {
  // The second request is refused at its first event (x), so it never
  // reaches y, which the store remembered for it.
  IngressKeyOwners owners(kGroup, kRemembered);
  ASSERT_TRUE(owners.take(0));
  ASSERT_FALSE(owners.take(1));
  owners.refuse(1, 3);
  EXPECT_FALSE(owners.take(3));
  EXPECT_THAT(idsOf(owners.unowned()), ElementsAre("s/y"));
}

TEST(IngressKeyOwners, AnUnreachedKeyGoesToALaterCopyInTheGroup) {
  // [y, x] refused at y, then [x]: the later x takes the key the refused request never reached.
  const std::vector<IngressKey> group{{"s", "y", "t"}, {"s", "x", "t"}, {"s", "x", "t"}};
  IngressKeyOwners owners(group, {true, true, false});
  ASSERT_TRUE(owners.take(0));
  owners.refuse(0, 2);
  EXPECT_TRUE(owners.take(2));
  EXPECT_THAT(idsOf(owners.unowned()), ElementsAre("s/y"));
}

TEST(IngressKeyOwners, ADuplicateOfAnEarlierCommitStaysADuplicateWhateverIsRefused) {
  // The store flagged nothing: every key was remembered by an earlier commit.
  IngressKeyOwners owners(kGroup, {false, false, false, false});
  owners.take(0);
  owners.refuse(0, 1);
  for (std::size_t i = 1; i < kGroup.size(); ++i) EXPECT_FALSE(owners.take(i));
  EXPECT_THAT(owners.unowned(), IsEmpty());
}

TEST(IngressKeyOwners, OneFlagPerKeyIsRequired) {
  EXPECT_THROW(IngressKeyOwners(kGroup, {true}), std::logic_error);
}

}  // namespace
}  // namespace ccm::core
