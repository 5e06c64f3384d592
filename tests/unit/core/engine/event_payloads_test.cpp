#include "engine/event_payloads.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/event_catalog.hpp"
#include "event_payload_samples.hpp"

namespace ccm::core {
namespace {

using event_testing::kNow;
using event_testing::kReport;
using event_testing::sessionIn;
using ::testing::HasSubstr;

DomainEvent sessionEvent(SessionState state) {
  return event_testing::sessionSample(state);
}

void expectSessionEvent(const DomainEvent& event, const std::string& type) {
  EXPECT_EQ(event.type, type);
  EXPECT_EQ(event.subject, "ls-1");
  EXPECT_EQ(event.time, kNow);
}

TEST(EventPayloads, SessionPendingHasNullPreviousStateAndOwner) {
  const auto event = sessionEvent(SessionState::Pending);
  expectSessionEvent(event, "ccm.lablet.session.pending");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":null,)"
            R"("new_state":"pending","worker_id":"","timestamp":"2026-02-18T10:00:00Z","owner_id":"user-7"})");
}

TEST(EventPayloads, SessionScheduledCarriesAllocatedPorts) {
  const auto event = sessionEvent(SessionState::Scheduled);
  expectSessionEvent(event, "ccm.lablet.session.scheduled");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"pending",)"
            R"("new_state":"scheduled","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("allocated_ports":{"r1/serial:0":5001,"r1/vnc:0":5002}})");
}

TEST(EventPayloads, SessionInstantiatingCarriesTheTransitionOnly) {
  const auto event = sessionEvent(SessionState::Instantiating);
  expectSessionEvent(event, "ccm.lablet.session.instantiating");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"scheduled",)"
            R"("new_state":"instantiating","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, SessionReadyCarriesLoginUrl) {
  const auto event = sessionEvent(SessionState::Ready);
  expectSessionEvent(event, "ccm.lablet.session.ready");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"instantiating",)"
            R"("new_state":"ready","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("login_url":"https://lds.example/login/ls-1"})");
}

TEST(EventPayloads, SessionRunningCarriesUserSessionAndLab) {
  const auto event = sessionEvent(SessionState::Running);
  expectSessionEvent(event, "ccm.lablet.session.running");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"ready",)"
            R"("new_state":"running","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("user_session_id":"us-1","cml_lab_id":"lab-9"})");
}

TEST(EventPayloads, SessionCollectingCarriesGradingSession) {
  const auto event = sessionEvent(SessionState::Collecting);
  expectSessionEvent(event, "ccm.lablet.session.collecting");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"running",)"
            R"("new_state":"collecting","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("grading_session_id":"gs-1"})");
}

TEST(EventPayloads, SessionGradingCarriesGradingSession) {
  const auto event = sessionEvent(SessionState::Grading);
  expectSessionEvent(event, "ccm.lablet.session.grading");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"collecting",)"
            R"("new_state":"grading","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("grading_session_id":"gs-1"})");
}

TEST(EventPayloads, SessionGradedTakesScoreAndPassedFromTheReport) {
  const auto event = sessionEvent(SessionState::Graded);
  expectSessionEvent(event, "ccm.lablet.session.graded");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"grading",)"
            R"("new_state":"graded","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("score_report_id":"sr-1","score":87.5,"passed":true})");
}

TEST(EventPayloads, SessionStoppingCarriesFinalStateOnceRecorded) {
  const auto event = sessionEvent(SessionState::Stopping);
  expectSessionEvent(event, "ccm.lablet.session.stopping");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"graded",)"
            R"("new_state":"stopping","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("final_state":"COMPLETED"})");
}

TEST(EventPayloads, SessionStoppedWithoutFinalStateOmitsIt) {
  auto session = sessionIn(SessionState::Stopped);
  session.final_state.reset();
  const auto event = sessionStateChanged(session, SessionState::Stopping, kNow);
  expectSessionEvent(event, "ccm.lablet.session.stopped");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"stopping",)"
            R"("new_state":"stopped","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, SessionTerminatedCarriesUpperCaseFinalState) {
  auto session = sessionIn(SessionState::Terminated);
  session.final_state = FinalState::Expired;
  const auto event = sessionStateChanged(session, SessionState::Stopped, kNow);
  expectSessionEvent(event, "ccm.lablet.session.terminated");
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"stopped",)"
            R"("new_state":"terminated","worker_id":"w-1","timestamp":"2026-02-18T10:00:00Z",)"
            R"("final_state":"EXPIRED"})");
}

TEST(EventPayloads, SessionCancelledBeforeSchedulingHasEmptyWorker) {
  auto session = sessionIn(SessionState::Stopping);
  session.worker_id.clear();
  session.final_state = FinalState::Cancelled;
  const auto event = sessionStateChanged(session, SessionState::Pending, kNow);
  EXPECT_EQ(event.data,
            R"({"session_id":"ls-1","definition_id":"def-1","definition_version":3,"previous_state":"pending",)"
            R"("new_state":"stopping","worker_id":"","timestamp":"2026-02-18T10:00:00Z","final_state":"CANCELLED"})");
}

TEST(EventPayloads, GradedWithoutScoreReportIsALogicError) {
  EXPECT_THROW(sessionStateChanged(sessionIn(SessionState::Graded), SessionState::Grading, kNow), std::logic_error);
}

TEST(EventPayloads, GradedWithAnotherSessionsReportIsALogicError) {
  ScoreReport other = kReport;
  other.id = "sr-2";
  try {
    sessionStateChanged(sessionIn(SessionState::Graded), SessionState::Grading, kNow, &other);
    FAIL() << "expected std::logic_error";
  } catch (const std::logic_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("session ls-1"));
    EXPECT_THAT(error.what(), HasSubstr("sr-2"));
  }
}

TEST(EventPayloads, TerminatedWithoutFinalStateIsALogicError) {
  auto session = sessionIn(SessionState::Terminated);
  session.final_state.reset();
  EXPECT_THROW(sessionStateChanged(session, SessionState::Stopped, kNow), std::logic_error);
}

TEST(EventPayloads, PreviousStateIsRequiredExceptForPending) {
  EXPECT_THROW(sessionStateChanged(sessionIn(SessionState::Running), std::nullopt, kNow), std::logic_error);
  EXPECT_THROW(sessionStateChanged(sessionIn(SessionState::Pending), SessionState::Pending, kNow), std::logic_error);
}

TEST(EventPayloads, WorkerPendingHasNullPreviousState) {
  const auto event = workerStateChanged(event_testing::workerIn(WorkerState::Pending), std::nullopt, "", kNow);
  EXPECT_EQ(event.type, "ccm.worker.pending");
  EXPECT_EQ(event.subject, "w-1");
  EXPECT_EQ(event.time, kNow);
  EXPECT_EQ(event.data, R"({"worker_id":"w-1","previous_state":null,"new_state":"pending",)"
                        R"("template_name":"cml-large","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, WorkerProvisioningIsProvisioningStarted) {
  const auto event =
      workerStateChanged(event_testing::workerIn(WorkerState::Provisioning), WorkerState::Pending, "", kNow);
  EXPECT_EQ(event.type, "ccm.worker.provisioning.started");
  EXPECT_EQ(event.data, R"({"worker_id":"w-1","previous_state":"pending","new_state":"provisioning",)"
                        R"("template_name":"cml-large","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, WorkerDrainingCarriesReason) {
  const auto event =
      workerStateChanged(event_testing::workerIn(WorkerState::Draining), WorkerState::Running, "scale down", kNow);
  EXPECT_EQ(event.type, "ccm.worker.draining");
  EXPECT_EQ(event.subject, "w-1");
  EXPECT_EQ(event.data, R"({"worker_id":"w-1","previous_state":"running","new_state":"draining",)"
                        R"("template_name":"cml-large","timestamp":"2026-02-18T10:00:00Z","reason":"scale down"})");
}

TEST(EventPayloads, WorkerStoppingCarriesReason) {
  const auto event =
      workerStateChanged(event_testing::workerIn(WorkerState::Stopping), WorkerState::Draining, "idle for 30m", kNow);
  EXPECT_EQ(event.type, "ccm.worker.stopping");
  EXPECT_EQ(event.data, R"({"worker_id":"w-1","previous_state":"draining","new_state":"stopping",)"
                        R"("template_name":"cml-large","timestamp":"2026-02-18T10:00:00Z","reason":"idle for 30m"})");
}

TEST(EventPayloads, WorkerWithoutPreviousStateIsALogicError) {
  EXPECT_THROW(workerStateChanged(event_testing::workerIn(WorkerState::Running), std::nullopt, "", kNow),
               std::logic_error);
}

TEST(EventPayloads, DefinitionCreated) {
  const auto event = definitionCreated(event_testing::definition(), kNow);
  EXPECT_EQ(event.type, "ccm.lablet.definition.created");
  EXPECT_EQ(event.subject, "def-1");
  EXPECT_EQ(event.time, kNow);
  EXPECT_EQ(event.data,
            R"({"definition_id":"def-1","name":"CCNA switching","version":3,"timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, DefinitionVersionCreated) {
  const auto event = definitionVersionCreated(event_testing::definition(), 2, kNow);
  EXPECT_EQ(event.type, "ccm.lablet.definition.version.created");
  EXPECT_EQ(event.subject, "def-1");
  EXPECT_EQ(event.data,
            R"({"definition_id":"def-1","old_version":2,"new_version":3,"timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, DefinitionVersionMustIncrease) {
  EXPECT_THROW(definitionVersionCreated(event_testing::definition(), 3, kNow), std::logic_error);
}

TEST(EventPayloads, UserSessionCreatedIsAboutItsLabletSession) {
  const auto event = userSessionCreated(UserSession{"us-1", "ls-1", UserSessionState::Provisioned, kNow, kNow}, kNow);
  EXPECT_EQ(event.type, "ccm.lablet.user_session.created");
  EXPECT_EQ(event.subject, "ls-1");
  EXPECT_EQ(event.data, R"({"user_session_id":"us-1","lablet_session_id":"ls-1","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, GradingSessionCreatedIsAboutItsLabletSession) {
  const auto event =
      gradingSessionCreated(GradingSession{"gs-1", "ls-1", GradingSessionState::Pending, "", kNow, kNow}, kNow);
  EXPECT_EQ(event.type, "ccm.lablet.grading_session.created");
  EXPECT_EQ(event.subject, "ls-1");
  EXPECT_EQ(event.data,
            R"({"grading_session_id":"gs-1","lablet_session_id":"ls-1","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, ScoreReportCreatedIsAboutItsLabletSession) {
  const auto event = scoreReportCreated(kReport, kNow);
  EXPECT_EQ(event.type, "ccm.lablet.score_report.created");
  EXPECT_EQ(event.subject, "ls-1");
  EXPECT_EQ(event.data, R"({"score_report_id":"sr-1","lablet_session_id":"ls-1","score":87.5,"passed":true,)"
                        R"("report_id":"ge-report-42","timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, NonFiniteScoreIsALogicError) {
  ScoreReport report = kReport;
  report.score = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(scoreReportCreated(report, kNow), std::logic_error);
}

TEST(EventPayloads, ScalingEventWithRequester) {
  const auto event =
      scalingEvent("ccm.scaling.down.requested", "w-1", "cml-large", "idle capacity", kNow, "autoscaler");
  EXPECT_EQ(event.type, "ccm.scaling.down.requested");
  EXPECT_EQ(event.subject, "w-1");
  EXPECT_EQ(event.time, kNow);
  EXPECT_EQ(event.data, R"({"worker_id":"w-1","template_name":"cml-large","reason":"idle capacity",)"
                        R"("timestamp":"2026-02-18T10:00:00Z","requested_by":"autoscaler"})");
}

TEST(EventPayloads, ScaleUpRequestedBeforeTheWorkerExistsHasNoSubject) {
  const auto event = scalingEvent("ccm.scaling.up.requested", "", "cml-large", "queue depth 12", kNow);
  EXPECT_EQ(event.subject, "");
  EXPECT_EQ(event.data, R"({"worker_id":"","template_name":"cml-large","reason":"queue depth 12",)"
                        R"("timestamp":"2026-02-18T10:00:00Z"})");
}

TEST(EventPayloads, ScalingEventRejectsNonScalingType) {
  EXPECT_THROW(scalingEvent("ccm.worker.draining", "w-1", "cml-large", "x", kNow), std::logic_error);
  EXPECT_THROW(scalingEvent("ccm.scaling.sideways", "w-1", "cml-large", "x", kNow), std::logic_error);
}

TEST(EventPayloads, SamplesCoverEveryCatalogType) {
  std::vector<std::string> sampled;
  for (const auto& event : event_testing::sampleEvents()) sampled.push_back(event.type);
  std::vector<std::string> catalog;
  for (const auto& info : eventCatalog()) catalog.emplace_back(info.type);
  EXPECT_THAT(sampled, ::testing::UnorderedElementsAreArray(catalog));
}

}  // namespace
}  // namespace ccm::core
