#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "store_test_fixture.hpp"

namespace ccm::core::store_test {
namespace {

using ::testing::ElementsAre;

TEST_P(StoreTest, DefinitionRoundTripsEveryField) {
  auto store = open();
  ASSERT_TRUE(store);
  const auto definition = sampleDefinition("def-1");
  {
    auto transaction = store->begin();
    transaction->saveDefinition(definition);
    transaction->commit();
  }
  auto transaction = store->begin();
  const auto found = transaction->findDefinition("def-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(fields(*found), fields(definition));
  EXPECT_FALSE(transaction->findDefinition("def-unknown"));
}

TEST_P(StoreTest, SavingADefinitionAgainReplacesIt) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  auto definition = sampleDefinition("def-1");
  transaction->saveDefinition(definition);
  definition.version = 4;
  definition.lab_yaml = "lab: {}\n";
  transaction->saveDefinition(definition);

  const auto all = transaction->listDefinitions(10, 0);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(fields(all.front()), fields(definition));
}

TEST_P(StoreTest, ListsDefinitionsByCreationWithLimitAndOffset) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  for (const auto& [id, created_at] :
       {std::pair{"def-c", "2026-02-18T09:00:01Z"}, std::pair{"def-a", "2026-02-18T09:00:02Z"},
        std::pair{"def-b", "2026-02-18T09:00:03Z"}}) {
    auto definition = sampleDefinition(id);
    definition.created_at = created_at;
    transaction->saveDefinition(definition);
  }
  EXPECT_EQ(idsOf(transaction->listDefinitions(10, 0)), (std::vector<std::string>{"def-c", "def-a", "def-b"}));
  EXPECT_EQ(idsOf(transaction->listDefinitions(1, 1)), (std::vector<std::string>{"def-a"}));
}

TEST_P(StoreTest, DefinitionVersionsRoundTripInVersionOrder) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->saveDefinition(sampleDefinition("def-1"));
  transaction->addDefinitionVersion(sampleDefinitionVersion("def-1", 2));
  transaction->addDefinitionVersion(sampleDefinitionVersion("def-1", 1));

  const auto versions = transaction->definitionVersions("def-1");
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(fields(versions[0]), fields(sampleDefinitionVersion("def-1", 1)));
  EXPECT_EQ(fields(versions[1]), fields(sampleDefinitionVersion("def-1", 2)));
  EXPECT_TRUE(transaction->definitionVersions("def-unknown").empty());
}

TEST_P(StoreTest, AddingTheSameDefinitionVersionTwiceIsAStoreError) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  transaction->saveDefinition(sampleDefinition("def-1"));
  transaction->addDefinitionVersion(sampleDefinitionVersion("def-1", 1));
  try {
    transaction->addDefinitionVersion(sampleDefinitionVersion("def-1", 1));
    FAIL() << "a duplicate version was accepted";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("definition_versions/def-1@1"), std::string::npos) << e.what();
  }
}

TEST_P(StoreTest, WorkerRoundTripsEveryFieldAndLists) {
  auto store = open();
  ASSERT_TRUE(store);
  const auto worker = sampleWorker("worker-1");
  {
    auto transaction = store->begin();
    transaction->saveWorker(worker);
    transaction->saveWorker(sampleWorker("worker-2"));
    transaction->commit();
  }
  auto transaction = store->begin();
  const auto found = transaction->findWorker("worker-1", false);
  ASSERT_TRUE(found);
  EXPECT_EQ(fields(*found), fields(worker));
  EXPECT_TRUE(transaction->findWorker("worker-2", true));
  EXPECT_FALSE(transaction->findWorker("worker-unknown"));
  EXPECT_EQ(idsOf(transaction->listWorkers(10, 0)), (std::vector<std::string>{"worker-1", "worker-2"}));
  EXPECT_EQ(idsOf(transaction->listWorkers(10, 1)), (std::vector<std::string>{"worker-2"}));
}

TEST_P(StoreTest, SessionRoundTripsEveryField) {
  auto store = open();
  ASSERT_TRUE(store);
  const auto session = sampleSession("session-1");
  {
    auto transaction = store->begin();
    transaction->saveSession(session);
    transaction->commit();
  }
  auto transaction = store->begin();
  const auto found = transaction->findSession("session-1", true);
  ASSERT_TRUE(found);
  EXPECT_EQ(fields(*found), fields(session));
  EXPECT_FALSE(transaction->findSession("session-unknown"));
}

TEST_P(StoreTest, SessionWithoutFinalStateRoundTrips) {
  auto store = open();
  ASSERT_TRUE(store);
  auto session = sampleSession("session-1");
  session.final_state.reset();
  auto transaction = store->begin();
  transaction->saveSession(session);
  const auto found = transaction->findSession("session-1");
  ASSERT_TRUE(found);
  EXPECT_EQ(fields(*found), fields(session));
}

TEST_P(StoreTest, UserGradingAndScoreRowsRoundTripEveryField) {
  auto store = open();
  ASSERT_TRUE(store);
  {
    auto transaction = store->begin();
    transaction->saveUserSession(sampleUserSession("user-1"));
    transaction->saveGradingSession(sampleGradingSession("grading-1"));
    transaction->saveScoreReport(sampleScoreReport("score-1"));
    transaction->commit();
  }
  auto transaction = store->begin();
  const auto user = transaction->findUserSession("user-1");
  const auto grading = transaction->findGradingSession("grading-1");
  const auto score = transaction->findScoreReport("score-1");
  ASSERT_TRUE(user && grading && score);
  EXPECT_EQ(fields(*user), fields(sampleUserSession("user-1")));
  EXPECT_EQ(fields(*grading), fields(sampleGradingSession("grading-1")));
  EXPECT_EQ(fields(*score), fields(sampleScoreReport("score-1")));
  EXPECT_FALSE(transaction->findUserSession("unknown"));
  EXPECT_FALSE(transaction->findGradingSession("unknown"));
  EXPECT_FALSE(transaction->findScoreReport("unknown"));
}

TEST_P(StoreTest, SavingARowWithoutIdIsAStoreError) {
  auto store = open();
  ASSERT_TRUE(store);
  auto transaction = store->begin();
  EXPECT_THROW(transaction->saveWorker(sampleWorker("")), StoreError);
}

// Five sessions that differ in one filter column each.
class StoreSessionFilterTest : public StoreTest {
protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    store_ = open();
    ASSERT_TRUE(store_);
    auto transaction = store_->begin();
    const auto add = [&](const std::string& id, SessionState state, const std::string& owner,
                         const std::string& definition, const std::string& worker, const std::string& expires) {
      auto session = sampleSession(id);
      session.state = state;
      session.owner_id = owner;
      session.definition_id = definition;
      session.worker_id = worker;
      session.allocated_ports.clear();
      session.expires_at = expires;
      session.created_at = "2026-02-18T10:00:0" + id.substr(id.size() - 1) + "Z";
      transaction->saveSession(session);
    };
    add("s1", SessionState::Pending, "alice", "def-a", "", "");
    add("s2", SessionState::Running, "alice", "def-b", "w1", "2026-02-18T12:00:00Z");
    add("s3", SessionState::Running, "bob", "def-a", "w2", "2026-02-18T13:00:00+02:00");  // 11:00 UTC
    add("s4", SessionState::Stopped, "bob", "def-b", "w1", "2026-02-18T11:30:00.250Z");
    add("s5", SessionState::Ready, "carol", "def-a", "w1", "2026-02-18T14:00:00Z");
    transaction->commit();
  }

  void TearDown() override {
    store_.reset();
    StoreTest::TearDown();
  }

  std::vector<std::string> matching(const SessionFilter& filter) {
    return idsOf(store_->begin()->listSessions(filter));
  }

  std::unique_ptr<Store> store_;
};

TEST_P(StoreSessionFilterTest, WithoutFilterListsAllByCreation) {
  EXPECT_THAT(matching({}), ElementsAre("s1", "s2", "s3", "s4", "s5"));
}

TEST_P(StoreSessionFilterTest, ByAnyOfSeveralStates) {
  SessionFilter filter;
  filter.states = {SessionState::Running, SessionState::Ready};
  EXPECT_THAT(matching(filter), ElementsAre("s2", "s3", "s5"));
}

TEST_P(StoreSessionFilterTest, ByOwner) {
  SessionFilter filter;
  filter.owner_id = "bob";
  EXPECT_THAT(matching(filter), ElementsAre("s3", "s4"));
}

TEST_P(StoreSessionFilterTest, ByDefinition) {
  SessionFilter filter;
  filter.definition_id = "def-a";
  EXPECT_THAT(matching(filter), ElementsAre("s1", "s3", "s5"));
}

TEST_P(StoreSessionFilterTest, ByWorker) {
  SessionFilter filter;
  filter.worker_id = "w1";
  EXPECT_THAT(matching(filter), ElementsAre("s2", "s4", "s5"));
}

TEST_P(StoreSessionFilterTest, ExpiringBeforeComparesTimesNotStrings) {
  SessionFilter filter;
  filter.expires_before = "2026-02-18T11:45:00Z";
  EXPECT_THAT(matching(filter), ElementsAre("s3", "s4"));
}

TEST_P(StoreSessionFilterTest, CombinedFiltersAllApply) {
  SessionFilter filter;
  filter.worker_id = "w1";
  filter.states = {SessionState::Running, SessionState::Stopped};
  filter.expires_before = "2026-02-18T13:00:00Z";
  EXPECT_THAT(matching(filter), ElementsAre("s2", "s4"));
}

TEST_P(StoreSessionFilterTest, LimitAndOffsetPage) {
  SessionFilter filter;
  filter.limit = 2;
  filter.offset = 1;
  EXPECT_THAT(matching(filter), ElementsAre("s2", "s3"));
  filter.offset = 4;
  EXPECT_THAT(matching(filter), ElementsAre("s5"));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreSessionFilterTest, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace ccm::core::store_test
