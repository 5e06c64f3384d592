#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "ccm/sdk/cloud_event.hpp"
#include "domain/aggregates.hpp"
#include "store/store.hpp"
#include "store/store_config.hpp"

namespace ccm::core::store_test {

// Every Store test runs on each backend, named by the parameter: "sqlite" (a
// file in a fresh temporary directory) or "postgresql" (a fresh database on
// the shared test server).
class StoreTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override;
  void TearDown() override;

  bool onPostgresql() const { return GetParam() == "postgresql"; }
  // Opens (and migrates) this test's database; fails the test on error.
  std::unique_ptr<Store> open();

  // SQL run directly on the test database, around the store.
  void executeSql(const std::string& sql);
  std::int64_t queryInteger(const std::string& sql);
  std::vector<std::string> queryTexts(const std::string& sql);

  StoreConfig config_;

private:
  std::filesystem::path temp_dir_;
  std::string database_;
};

// Aggregates with every field set away from its default.
LabletDefinition sampleDefinition(const std::string& id);
DefinitionVersion sampleDefinitionVersion(const std::string& definition_id, int version);
Worker sampleWorker(const std::string& id);
LabletSession sampleSession(const std::string& id);
UserSession sampleUserSession(const std::string& id);
GradingSession sampleGradingSession(const std::string& id);
ScoreReport sampleScoreReport(const std::string& id);
sdk::CloudEvent sampleEvent(const std::string& id, const std::string& type, const std::string& subject);

// Every field as a tuple, so EXPECT_EQ compares (and prints) whole aggregates.
inline auto fields(const LabletDefinition& d) {
  return std::tie(d.id, d.name, d.version, d.lab_yaml, d.pod_settings, d.max_duration_seconds, d.created_at,
                  d.updated_at);
}
inline auto fields(const DefinitionVersion& v) {
  return std::tie(v.definition_id, v.version, v.lab_yaml, v.created_at);
}
inline auto fields(const Worker& w) {
  return std::tie(w.id, w.name, w.template_name, w.state, w.public_address, w.private_address, w.port_range_start,
                  w.port_range_end, w.capacity, w.scaling, w.created_at, w.updated_at);
}
inline auto fields(const LabletSession& s) {
  return std::tie(s.id, s.definition_id, s.definition_version, s.owner_id, s.state, s.final_state, s.worker_id,
                  s.allocated_ports, s.cml_lab_id, s.login_url, s.user_session_id, s.grading_session_id,
                  s.score_report_id, s.error, s.expires_at, s.created_at, s.updated_at);
}
inline auto fields(const UserSession& u) {
  return std::tie(u.id, u.lablet_session_id, u.state, u.created_at, u.updated_at);
}
inline auto fields(const GradingSession& g) {
  return std::tie(g.id, g.lablet_session_id, g.state, g.error, g.created_at, g.updated_at);
}
inline auto fields(const ScoreReport& r) {
  return std::tie(r.id, r.lablet_session_id, r.grading_session_id, r.score, r.passed, r.report_id, r.created_at);
}

// The ids of `rows`, in order.
template <class T>
std::vector<std::string> idsOf(const std::vector<T>& rows) {
  std::vector<std::string> ids;
  for (const auto& row : rows) ids.push_back(row.id);
  return ids;
}

}  // namespace ccm::core::store_test
