// The LDS and grading-engine flows driven through POST /api/v1/events on the
// real gateway, once per store: each handler's transitions and emitted
// events, early and late events, and a whole session driven by events alone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ingress_fixture.hpp"

namespace ccm::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string about(const std::string& session, const std::string& extra = "") {
  return R"({"lablet_session_id": ")" + session + "\"" + extra + "}";
}

class IngressFlows : public IngressTest {
protected:
  Reply lds(const std::string& type, const std::string& session, const std::string& id) {
    return postLds(structuredEvent(type, id, about(session), "urn:lds"));
  }
  Reply grading(const std::string& type, const std::string& id, const std::string& data) {
    return postGrading(structuredEvent(type, id, data, "urn:grading-engine"));
  }
  // The logged event of this type about `session` (its data), or null.
  rapidjson::Document emitted(const std::string& session, const std::string& type) {
    auto doc = parseJson(get("/api/v1/events?limit=1000&subject=" + session + "&type=" + type).body);
    rapidjson::Document data;
    if (doc["items"].Size() == 1) data.CopyFrom(doc["items"][0]["event"]["data"], data.GetAllocator());
    return data;
  }
  std::vector<std::string> tail(const std::string& session, std::size_t from) {
    auto types = eventTypes(session);
    return {types.begin() + static_cast<std::ptrdiff_t>(std::min(from, types.size())), types.end()};
  }
};

TEST_P(IngressFlows, LdsSessionStartedMakesTheUserSessionActiveAndTheSessionRunning) {
  start();
  const auto session = readySession();
  const auto before = eventTypes(session).size();
  ASSERT_EQ(lds("lds.session.started", session, "l-1").status, 202);
  EXPECT_EQ(sessionState(session), "running");
  EXPECT_THAT(tail(session, before), ElementsAre("ccm.lablet.session.running"));
  const std::string user_session = this->session(session)["user_session_id"].GetString();
  auto running = emitted(session, "ccm.lablet.session.running");
  ASSERT_TRUE(running.IsObject());
  EXPECT_EQ(running["user_session_id"].GetString(), user_session);
  EXPECT_EQ(store().begin()->findUserSession(user_session)->state, ccm::core::UserSessionState::Active);
}

TEST_P(IngressFlows, LdsSessionEndedEndsTheUserSessionAndStartsCollection) {
  start();
  const auto session = readySession();
  ASSERT_EQ(lds("lds.session.started", session, "l-1").status, 202);
  const auto before = eventTypes(session).size();
  ASSERT_EQ(lds("lds.session.ended", session, "l-2").status, 202);
  EXPECT_EQ(sessionState(session), "collecting");
  EXPECT_THAT(tail(session, before),
              ElementsAre("ccm.lablet.session.collecting", "ccm.lablet.grading_session.created"));
  auto doc = this->session(session);
  auto tx = store().begin();
  EXPECT_EQ(tx->findUserSession(doc["user_session_id"].GetString())->state, ccm::core::UserSessionState::Ended);
  auto grading_session = tx->findGradingSession(doc["grading_session_id"].GetString());
  ASSERT_TRUE(grading_session);
  EXPECT_EQ(grading_session->state, ccm::core::GradingSessionState::Pending);
}

TEST_P(IngressFlows, LdsSessionEndedForAReadySessionCatchesUpTheMissedStart) {
  start();
  const auto session = readySession();
  const auto before = eventTypes(session).size();
  auto reply = lds("lds.session.ended", session, "l-2");
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(sessionState(session), "collecting");
  EXPECT_THAT(tail(session, before), ElementsAre("ccm.lablet.session.running", "ccm.lablet.session.collecting",
                                                 "ccm.lablet.grading_session.created"));
  // The start arriving late changes nothing, but is accepted and logged.
  auto late = lds("lds.session.started", session, "l-1");
  ASSERT_EQ(late.status, 202);
  EXPECT_STREQ(parseJson(late.body)["items"][0]["result"].GetString(), "unchanged");
  EXPECT_EQ(sessionState(session), "collecting");
  EXPECT_EQ(eventsOfType("lds.session.started")["items"].Size(), 1u);
}

TEST_P(IngressFlows, AnEarlyEventIs409AndIsAppliedWhenSentAgainLater) {
  start();
  const auto session = readySession(true);
  auto early = lds("lds.session.started", session, "l-1");
  EXPECT_EQ(early.status, 409);
  EXPECT_THAT(early.body, HasSubstr("is \\\"instantiating\\\""));
  EXPECT_EQ(eventsOfType("lds.*")["items"].Size(), 0u);
  ASSERT_EQ(postApi("/api/v1/sessions/" + session + "/ready", R"({"login_url": "https://x"})").status, 200);
  ASSERT_EQ(lds("lds.session.started", session, "l-1").status, 202);
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressFlows, AnEventForASessionThatDoesNotExistIs422AndStoresNothing) {
  start();
  auto reply = lds("lds.session.started", "no-such-session", "l-1");
  EXPECT_EQ(reply.status, 422);
  EXPECT_THAT(reply.body, HasSubstr("session no-such-session does not exist"));
  EXPECT_EQ(eventsOfType("lds.*")["items"].Size(), 0u);
}

TEST_P(IngressFlows, AfterARefusedBatchEveryMemberIsAppliedWhenSentAgain) {
  start();
  const auto session = readySession();
  // The first member is refused while it is applied, before the second is reached.
  const std::string refused = structuredEvent("lds.session.started", "l-1", about("no-such-session"), "urn:lds");
  const std::string valid = structuredEvent("lds.session.started", "l-2", about(session), "urn:lds");
  ASSERT_EQ(postLds("[" + refused + "," + valid + "]", "application/cloudevents-batch+json").status, 422);
  EXPECT_EQ(sessionState(session), "ready");

  auto reply = postLds(valid);
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_THAT(reply.body, HasSubstr(R"("result":"applied")"));
  EXPECT_EQ(sessionState(session), "running");
}

TEST_P(IngressFlows, GradingCompletedCreatesTheScoreReportAndGradesTheSession) {
  start();
  const auto session = readySession();
  ASSERT_EQ(lds("lds.session.ended", session, "l-2").status, 202);
  const auto before = eventTypes(session).size();
  auto reply = grading("grading.session.completed", "g-1",
                       about(session, R"(, "score": 87.5, "passed": true, "report_id": "rep-42")"));
  ASSERT_EQ(reply.status, 202) << reply.body;
  EXPECT_EQ(sessionState(session), "graded");
  // Collecting was caught up to grading on the way.
  EXPECT_THAT(tail(session, before), ElementsAre("ccm.lablet.session.grading", "ccm.lablet.score_report.created",
                                                 "ccm.lablet.session.graded"));
  auto report = emitted(session, "ccm.lablet.score_report.created");
  ASSERT_TRUE(report.IsObject());
  EXPECT_DOUBLE_EQ(report["score"].GetDouble(), 87.5);
  EXPECT_TRUE(report["passed"].GetBool());
  EXPECT_STREQ(report["report_id"].GetString(), "rep-42");
  auto doc = this->session(session);
  EXPECT_EQ(store().begin()->findGradingSession(doc["grading_session_id"].GetString())->state,
            ccm::core::GradingSessionState::Submitted);
}

TEST_P(IngressFlows, GradingFailedFaultsTheGradingSessionAndStopsTheSessionFaulted) {
  start();
  const auto session = readySession();
  ASSERT_EQ(lds("lds.session.ended", session, "l-2").status, 202);
  auto reply = grading("grading.session.failed", "g-1", about(session, R"(, "reason": "grader timed out")"));
  ASSERT_EQ(reply.status, 202) << reply.body;
  auto doc = this->session(session);
  EXPECT_STREQ(doc["state"].GetString(), "stopping");
  EXPECT_STREQ(doc["final_state"].GetString(), "FAULTED");
  auto stopping = emitted(session, "ccm.lablet.session.stopping");
  ASSERT_TRUE(stopping.IsObject());
  EXPECT_STREQ(stopping["final_state"].GetString(), "FAULTED");
  auto grading_session = store().begin()->findGradingSession(doc["grading_session_id"].GetString());
  EXPECT_EQ(grading_session->state, ccm::core::GradingSessionState::Faulted);
  EXPECT_EQ(grading_session->error, "grader timed out");
}

TEST_P(IngressFlows, TheEarlierAssessmentEventsAreAcceptedAsAliases) {
  start();
  const auto session = readySession();
  ASSERT_EQ(lds("lds.session.ended", session, "l-2").status, 202);
  const std::string instance = R"({"instance_id": ")" + session + "\"";
  ASSERT_EQ(grading("assessment.collection.completed", "a-1", instance + "}").status, 202);
  EXPECT_EQ(sessionState(session), "grading");
  ASSERT_EQ(grading("assessment.grading.completed", "a-2", instance + R"(, "score": {"value": 55, "passed": true}})")
                .status,
            202);
  EXPECT_EQ(sessionState(session), "graded");
}

TEST_P(IngressFlows, AWholeSessionIsDrivenFromReadyToTerminatedByEventsAlone) {
  start("{}", 100);
  const auto session = readySession();
  ASSERT_EQ(lds("lds.session.started", session, "w-1").status, 202);
  ASSERT_EQ(lds("lds.session.ended", session, "w-2").status, 202);
  const auto score = about(session, R"(, "score": 70, "passed": true, "report_id": "r")");
  ASSERT_EQ(grading("grading.session.completed", "w-3", score).status, 202);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sessionState(session) != "terminated" && std::chrono::steady_clock::now() < deadline) {
    gateway_->waitForStderrLine("reconciled sessions", std::chrono::milliseconds(200));
  }
  auto doc = this->session(session);
  EXPECT_STREQ(doc["state"].GetString(), "terminated");
  EXPECT_STREQ(doc["final_state"].GetString(), "COMPLETED");
  EXPECT_THAT(tail(session, 5), ElementsAre("ccm.lablet.session.running", "ccm.lablet.session.collecting",
                                            "ccm.lablet.grading_session.created", "ccm.lablet.session.grading",
                                            "ccm.lablet.score_report.created", "ccm.lablet.session.graded",
                                            "ccm.lablet.session.stopping", "ccm.lablet.session.stopped",
                                            "ccm.lablet.session.terminated"));
  EXPECT_EQ(eventsOfType("lds.*")["items"].Size(), 2u);
  EXPECT_EQ(eventsOfType("grading.*")["items"].Size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, IngressFlows, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ccm::testing
