#pragma once

#include <string>
#include <string_view>

#include "ccm/sdk/result.hpp"
#include "domain/aggregates.hpp"

// The aggregates as JSON objects whose member names are the struct's field
// names, as the store keeps them (the REST API has its own representation,
// api/resource_json.hpp). Pure and
// thread-safe. Parsing needs only the identifying member ("id", or
// "definition_id" for a version); a missing member takes the struct's default
// and an unknown one is ignored, so rows written by an older release still
// read. A member of the wrong type or an unknown state is an error naming its
// JSON pointer.
namespace ccm::core {

std::string toJson(const LabletDefinition& definition);
std::string toJson(const DefinitionVersion& version);
std::string toJson(const Worker& worker);
std::string toJson(const LabletSession& session);
std::string toJson(const UserSession& user_session);
std::string toJson(const GradingSession& grading_session);
std::string toJson(const ScoreReport& report);

sdk::Result<LabletDefinition> definitionFromJson(std::string_view json);
sdk::Result<DefinitionVersion> definitionVersionFromJson(std::string_view json);
sdk::Result<Worker> workerFromJson(std::string_view json);
sdk::Result<LabletSession> sessionFromJson(std::string_view json);
sdk::Result<UserSession> userSessionFromJson(std::string_view json);
sdk::Result<GradingSession> gradingSessionFromJson(std::string_view json);
sdk::Result<ScoreReport> scoreReportFromJson(std::string_view json);

}  // namespace ccm::core
