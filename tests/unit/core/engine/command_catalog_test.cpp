// The command catalog: the pure plan (which states an inbound event walks a
// session through) and its application with the Lifecycle engine on SQLite.
#include "engine/command_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <thread>

#include "domain/uuid.hpp"
#include "store/open_store.hpp"

namespace ccm::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using S = SessionState;

LabletSession sessionIn(S state) {
  LabletSession session;
  session.id = "s-1";
  session.state = state;
  return session;
}

std::vector<S> plan(std::string_view command, S state) {
  auto planned = planCommand(*findCommand(command), sessionIn(state));
  EXPECT_TRUE(planned) << planned.error().detail;
  return planned ? planned.value() : std::vector<S>{};
}

TEST(IngressCommandCatalog, EveryCommandHasACompilingArgumentSchema) {
  ASSERT_EQ(commandSpecs().size(), 5u);
  for (const auto& spec : commandSpecs()) {
    EXPECT_TRUE(JsonSchema::compile(spec.arguments_schema, std::string(spec.name))) << spec.name;
    EXPECT_EQ(findCommand(spec.name), &spec);
  }
  EXPECT_EQ(findCommand("session.teleport"), nullptr);
}

TEST(IngressCommandCatalog, MarkRunningMovesAReadySessionOnly) {
  EXPECT_THAT(plan("session.mark_running", S::Ready), ElementsAre(S::Running));
  EXPECT_THAT(plan("session.mark_running", S::Running), ElementsAre());
  EXPECT_THAT(plan("session.mark_running", S::Graded), ElementsAre());
}

TEST(IngressCommandCatalog, CollectCatchesUpAMissedStart) {
  EXPECT_THAT(plan("session.collect", S::Ready), ElementsAre(S::Running, S::Collecting));
  EXPECT_THAT(plan("session.collect", S::Running), ElementsAre(S::Collecting));
  EXPECT_THAT(plan("session.collect", S::Grading), ElementsAre());
}

TEST(IngressCommandCatalog, RecordScoreCatchesUpGradingFromCollecting) {
  EXPECT_THAT(plan("session.record_score", S::Collecting), ElementsAre(S::Grading, S::Graded));
  EXPECT_THAT(plan("session.record_score", S::Grading), ElementsAre(S::Graded));
  EXPECT_THAT(plan("session.record_score", S::Graded), ElementsAre());
}

TEST(IngressCommandCatalog, FaultStopsACollectingOrGradingSessionButNotAGradedOne) {
  EXPECT_THAT(plan("session.fault", S::Collecting), ElementsAre(S::Stopping));
  EXPECT_THAT(plan("session.fault", S::Grading), ElementsAre(S::Stopping));
  EXPECT_THAT(plan("session.fault", S::Graded), ElementsAre());
}

TEST(IngressCommandCatalog, NothingMovesASessionThatIsBeingTornDown) {
  for (const auto& spec : commandSpecs()) {
    for (S state : {S::Stopping, S::Stopped, S::Terminated}) {
      auto planned = planCommand(spec, sessionIn(state));
      ASSERT_TRUE(planned) << spec.name;
      EXPECT_TRUE(planned.value().empty()) << spec.name << " from " << toString(state);
    }
  }
}

TEST(IngressCommandCatalog, AnEarlyEventIsA409NamingTheStateItNeeds) {
  auto planned = planCommand(*findCommand("session.mark_running"), sessionIn(S::Instantiating));
  ASSERT_FALSE(planned);
  EXPECT_EQ(planned.error().category, ErrorCategory::Conflict);
  EXPECT_THAT(planned.error().detail, HasSubstr("session s-1 is \"instantiating\""));
  EXPECT_THAT(planned.error().detail, HasSubstr("applies from \"ready\""));
  EXPECT_FALSE(planCommand(*findCommand("session.record_score"), sessionIn(S::Running)));
  EXPECT_FALSE(planCommand(*findCommand("session.fault"), sessionIn(S::Running)));
}

// A Lifecycle on a fresh SQLite file, with a session brought to `ready`.
class IngressCommandCatalogApply : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("ccm-catalog-" + std::to_string(::getpid()) + "-" + newUuid());
    StoreConfig config;
    config.sqlite.path = dir_ / "gw.db";
    auto store = openStore(config);
    ASSERT_TRUE(store) << store.error().message;
    store_ = std::move(store.value());
    lifecycle_ = std::make_unique<Lifecycle>(
        *store_, CloudEventConverter("urn:test", ""), EngineSettings{}, [] { return std::chrono::system_clock::now(); },
        newUuid);
    catalog_ = std::make_unique<CommandCatalog>(*lifecycle_);
    auto definition = lifecycle_->createDefinition({"lab", "nodes: []\n", "{}", 0});
    ASSERT_TRUE(definition) << definition.error().detail;
    auto worker = lifecycle_->createWorker({"w", "", "", "10.0.0.1", 5000, 5010, 4});
    ASSERT_TRUE(worker);
    lifecycle_->transitionWorker(worker.value().id, WorkerState::Provisioning);
    lifecycle_->transitionWorker(worker.value().id, WorkerState::Running);
    auto session = lifecycle_->createSession({definition.value().id, "o"});
    ASSERT_TRUE(session);
    session_ = session.value().id;
    ASSERT_TRUE(lifecycle_->scheduleSession(session_, worker.value().id));
    ASSERT_TRUE(lifecycle_->instantiateSession(session_, "lab-1"));
    ASSERT_TRUE(lifecycle_->markReady(session_, "https://lds.example/1"));
  }
  void TearDown() override {
    catalog_.reset();
    lifecycle_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Applies the commands for one inbound event, as the ingress does.
  std::optional<Error> apply(const std::vector<sdk::Command>& commands) {
    sdk::CloudEvent event;
    event.id = newUuid();
    event.source = "test";
    event.type = "test.event";
    auto result = lifecycle_->applyIngressBatch(
        {event}, "2999-01-01T00:00:00.000Z", true,
        [&](Lifecycle::UnitOfWork& uow, std::size_t) { return catalog_->apply(uow, commands, made_); });
    return result ? std::nullopt : std::optional<Error>(result.error());
  }
  sdk::Command command(const std::string& name, const std::string& extra = "") {
    return {name, R"({"session_id": ")" + session_ + "\"" + extra + "}"};
  }
  LabletSession session() { return *store_->begin()->findSession(session_); }

  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lifecycle> lifecycle_;
  std::unique_ptr<CommandCatalog> catalog_;
  std::string session_;
  std::vector<SessionTransition> made_;
};

TEST_F(IngressCommandCatalogApply, CollectFromReadyEntersRunningThenCollecting) {
  ASSERT_FALSE(apply({command("session.collect")}));
  ASSERT_EQ(made_.size(), 2u);
  EXPECT_EQ(made_[0].entered, S::Running);
  EXPECT_EQ(made_[1].entered, S::Collecting);
  EXPECT_FALSE(made_[1].session.grading_session_id.empty());
  const auto collecting = session();
  EXPECT_EQ(collecting.state, S::Collecting);
  auto tx = store_->begin();
  EXPECT_EQ(tx->findUserSession(collecting.user_session_id)->state, UserSessionState::Ended);
}

TEST_F(IngressCommandCatalogApply, RecordScoreCreatesTheReportAndSubmitsTheGradingSession) {
  ASSERT_FALSE(apply({command("session.collect")}));
  ASSERT_FALSE(apply({command("session.record_score", R"(, "score": 91.5, "passed": true, "report_id": "r-7")")}));
  const auto graded = session();
  EXPECT_EQ(graded.state, S::Graded);
  auto tx = store_->begin();
  const auto report = tx->findScoreReport(graded.score_report_id);
  ASSERT_TRUE(report);
  EXPECT_DOUBLE_EQ(report->score, 91.5);
  EXPECT_TRUE(report->passed);
  EXPECT_EQ(report->report_id, "r-7");
  EXPECT_EQ(tx->findGradingSession(graded.grading_session_id)->state, GradingSessionState::Submitted);
}

TEST_F(IngressCommandCatalogApply, FaultStopsTheSessionFaultedAndFaultsTheGradingSession) {
  ASSERT_FALSE(apply({command("session.collect")}));
  ASSERT_FALSE(apply({command("session.fault", R"(, "reason": "grader crashed")")}));
  const auto stopped = session();
  EXPECT_EQ(stopped.state, S::Stopping);
  EXPECT_EQ(stopped.final_state, FinalState::Faulted);
  EXPECT_EQ(stopped.error, "grader crashed");
  auto tx = store_->begin();
  const auto grading = tx->findGradingSession(stopped.grading_session_id);
  EXPECT_EQ(grading->state, GradingSessionState::Faulted);
  EXPECT_EQ(grading->error, "grader crashed");
}

TEST_F(IngressCommandCatalogApply, AnEarlyEventRollsBackTheWholeIngressTransaction) {
  const auto logged = store_->lastSequence();
  auto problem = apply({command("session.record_score", R"(, "score": 1, "passed": false)")});
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->category, ErrorCategory::Conflict);
  EXPECT_EQ(store_->lastSequence(), logged);
  EXPECT_EQ(session().state, S::Ready);
}

TEST_F(IngressCommandCatalogApply, AnUnknownSessionIs422NamingIt) {
  auto problem = apply({{"session.mark_running", R"({"session_id": "no-such-session"})"}});
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->category, ErrorCategory::Unprocessable);
  EXPECT_THAT(problem->detail, HasSubstr("session no-such-session does not exist"));
}

TEST_F(IngressCommandCatalogApply, AnUnknownCommandOrBadArgumentsAreTheSourcesBug) {
  auto unknown = apply({command("session.teleport")});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->category, ErrorCategory::Internal);
  EXPECT_THAT(unknown->detail, HasSubstr("unknown command \"session.teleport\" (known: session.mark_running"));
  auto bad = apply({command("session.record_score", R"(, "score": "high", "passed": true)")});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->category, ErrorCategory::Internal);
  EXPECT_THAT(bad->detail, HasSubstr("/score: expected number, got string"));
  EXPECT_EQ(session().state, S::Ready);
}

}  // namespace
}  // namespace ccm::core

namespace ccm::core {
namespace {

TEST_F(IngressCommandCatalogApply, ACommitListenerThatThrowsDoesNotUndoOrFailTheCommittedChange) {
  int calls = 0;
  lifecycle_->setCommitListener([&calls] {
    ++calls;
    throw std::runtime_error("listener broke");
  });
  // An ingress group commit, then a plain command: both report success.
  EXPECT_FALSE(apply({command("session.mark_running")}));
  EXPECT_EQ(session().state, S::Running);
  auto collecting = lifecycle_->startCollecting(session_);
  ASSERT_TRUE(collecting) << collecting.error().detail;
  EXPECT_EQ(session().state, S::Collecting);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace ccm::core

namespace ccm::core {
namespace {

sdk::CloudEvent inboundEvent(const std::string& id) {
  sdk::CloudEvent event;
  event.id = id;
  event.source = "test";
  event.type = "test.event";
  return event;
}

TEST_F(IngressCommandCatalogApply, AnApplyThatThrowsRefusesOnlyItsOwnRequestInTheGroup) {
  // The first request holds the committer, so the next two share one group.
  std::promise<void> holding;
  std::promise<void> release_promise;
  std::shared_future<void> release = release_promise.get_future().share();
  const std::vector<sdk::CloudEvent> blocker{inboundEvent("blocker")};
  const std::vector<sdk::CloudEvent> throwing{inboundEvent("throws")};
  const std::vector<sdk::CloudEvent> fine{inboundEvent("fine")};
  std::promise<Lifecycle::IngressResults> throwing_result;
  std::promise<Lifecycle::IngressResults> fine_result;
  std::promise<void> blocker_done;
  lifecycle_->submitIngressBatch(
      blocker, "2999-01-01T00:00:00.000Z", true,
      [&](Lifecycle::UnitOfWork&, std::size_t) -> std::optional<Error> {
        holding.set_value();
        release.wait();
        return std::nullopt;
      },
      [&](Lifecycle::IngressResults, std::exception_ptr) { blocker_done.set_value(); });
  holding.get_future().wait();
  lifecycle_->submitIngressBatch(
      throwing, "2999-01-01T00:00:00.000Z", true,
      [](Lifecycle::UnitOfWork&, std::size_t) -> std::optional<Error> { throw std::runtime_error("plugin broke"); },
      [&](Lifecycle::IngressResults r, std::exception_ptr e) {
        EXPECT_FALSE(e);
        throwing_result.set_value(std::move(r));
      });
  lifecycle_->submitIngressBatch(
      fine, "2999-01-01T00:00:00.000Z", true,
      [&](Lifecycle::UnitOfWork& uow, std::size_t) {
        return catalog_->apply(uow, {command("session.mark_running")}, made_);
      },
      [&](Lifecycle::IngressResults r, std::exception_ptr e) {
        EXPECT_FALSE(e);
        fine_result.set_value(std::move(r));
      });
  release_promise.set_value();
  blocker_done.get_future().wait();
  const auto refused = throwing_result.get_future().get();
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().category, ErrorCategory::Internal);
  EXPECT_EQ(refused.error().detail, "failed: plugin broke");
  const auto applied = fine_result.get_future().get();
  ASSERT_TRUE(applied);
  EXPECT_EQ(applied.value(), std::vector<Lifecycle::IngressResult>{Lifecycle::IngressResult::Applied});
  EXPECT_EQ(session().state, S::Running);
  // The refused request's event is not in the log; the others are.
  std::vector<std::string> logged;
  for (const auto& event : store_->readEvents(EventQuery{0, "test.*", {}, 100})) logged.push_back(event.event.id);
  EXPECT_THAT(logged, ::testing::IsSupersetOf({std::string("blocker"), std::string("fine")}));
  EXPECT_THAT(logged, ::testing::Not(::testing::Contains(std::string("throws"))));
}

TEST_F(IngressCommandCatalogApply, TheNextGroupCommitsWhileAnAnswerIsStillBeingGiven) {
  // The first request's answer submits a second request and waits for its
  // commit: the committing thread must not be the one answering. The second
  // is answered only once its commit is durable, and not read from the log
  // before: its sync waits for the answering thread.
  const std::vector<sdk::CloudEvent> first{inboundEvent("first")};
  const std::vector<sdk::CloudEvent> second{inboundEvent("second")};
  const auto logged = [&](const std::string& id) {
    for (const auto& event : store_->readEvents(EventQuery{0, "test.*", {}, 100})) {
      if (event.event.id == id) return true;
    }
    return false;
  };
  const auto committed = [&](const std::string& id) {
    auto look = store_->begin();  // rolled back: it only looks
    return !look->rememberIngress({{"test", id, "2999-01-01T00:00:00.000Z"}}).front();
  };
  const auto nothing = [](Lifecycle::UnitOfWork&, std::size_t) -> std::optional<Error> { return std::nullopt; };
  std::promise<std::pair<bool, bool>> second_committed_and_logged_while_answering_first;
  std::promise<bool> second_logged_when_answered;
  lifecycle_->submitIngressBatch(
      first, "2999-01-01T00:00:00.000Z", false, nothing, [&](Lifecycle::IngressResults, std::exception_ptr) {
        lifecycle_->submitIngressBatch(second, "2999-01-01T00:00:00.000Z", false, nothing,
                                       [&](Lifecycle::IngressResults, std::exception_ptr) {
                                         second_logged_when_answered.set_value(logged("second"));
                                       });
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!committed("second") && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        second_committed_and_logged_while_answering_first.set_value({committed("second"), logged("second")});
      });
  const auto [second_committed, second_logged] = second_committed_and_logged_while_answering_first.get_future().get();
  EXPECT_TRUE(second_committed);
  EXPECT_FALSE(second_logged);
  EXPECT_TRUE(second_logged_when_answered.get_future().get());
}

TEST_F(IngressCommandCatalogApply, AfterStopIngressASubmissionIsAnsweredAsAStoreFailure) {
  lifecycle_->stopIngress();
  const std::vector<sdk::CloudEvent> late{inboundEvent("late")};
  std::string error;
  lifecycle_->submitIngressBatch(
      late, "2999-01-01T00:00:00.000Z", false, [](Lifecycle::UnitOfWork&, std::size_t) { return std::nullopt; },
      [&](Lifecycle::IngressResults, std::exception_ptr e) {
        try {
          std::rethrow_exception(e);
        } catch (const StoreError& failure) {
          error = failure.what();
        }
      });
  EXPECT_EQ(error, "the gateway is shutting down; nothing was applied");
}

}  // namespace
}  // namespace ccm::core
