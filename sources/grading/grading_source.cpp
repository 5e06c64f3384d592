#include "grading_source.hpp"

#include <optional>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "grading_data_schemas.hpp"

namespace ccm::sources::grading {
namespace {

constexpr std::string_view kCompleted = "grading.session.completed";
constexpr std::string_view kFailed = "grading.session.failed";
constexpr std::string_view kCollectionCompleted = "assessment.collection.completed";
constexpr std::string_view kGradingCompleted = "assessment.grading.completed";
constexpr const char* kDefaultFailure = "grading failed";

sdk::Error fieldError(const std::string& pointer, const std::string& expected) {
  return sdk::Error{pointer, pointer + ": expected " + expected};
}

// Reads what translation relies on from data the core already validated
// against the claimed schema, so the function stays safe on its own.
class DataReader {
public:
  explicit DataReader(const sdk::CloudEvent& event) {
    if (event.data.kind() == sdk::Data::Kind::Json) {
      document_.Parse<rapidjson::kParseIterativeFlag>(event.data.value().c_str(), event.data.value().size());
    }
    valid_ = event.data.kind() == sdk::Data::Kind::Json && !document_.HasParseError() && document_.IsObject();
  }

  bool valid() const { return valid_; }
  // The member `name` (or `name`.`inner`), or nullptr.
  const rapidjson::Value* find(const char* name, const char* inner = nullptr) const {
    auto it = document_.FindMember(name);
    if (it == document_.MemberEnd()) return nullptr;
    if (inner == nullptr) return &it->value;
    if (!it->value.IsObject()) return nullptr;
    auto nested = it->value.FindMember(inner);
    return nested == it->value.MemberEnd() ? nullptr : &nested->value;
  }

private:
  rapidjson::Document document_;
  bool valid_ = false;
};

struct Score {
  double value = 0;
  bool passed = false;
  std::optional<std::string> report_id;
};

std::string commandArguments(const std::string& session_id, const Score* score, const std::string* reason) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("session_id");
  writer.String(session_id);
  if (score != nullptr) {
    writer.Key("score");
    writer.Double(score->value);
    writer.Key("passed");
    writer.Bool(score->passed);
    if (score->report_id) {
      writer.Key("report_id");
      writer.String(*score->report_id);
    }
  }
  if (reason != nullptr) {
    writer.Key("reason");
    writer.String(*reason);
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

sdk::Result<std::string> nonEmptyString(const DataReader& data, const char* name) {
  const auto* value = data.find(name);
  if (value == nullptr || !value->IsString() || value->GetStringLength() == 0) {
    return fieldError("/data/" + std::string(name), "a non-empty string");
  }
  return std::string(value->GetString(), value->GetStringLength());
}

// grading.session.completed carries score, passed and report_id at the top;
// the earlier alias nests value, passed and report_id under "score".
sdk::Result<Score> scoreOf(const DataReader& data, bool nested) {
  const char* outer = nested ? "score" : nullptr;
  auto at = [&](const char* name) { return outer ? data.find(outer, name) : data.find(name); };
  auto pointer = [&](const char* name) { return std::string("/data/") + (outer ? "score/" : "") + name; };
  const char* value_name = nested ? "value" : "score";
  Score score;
  const auto* value = at(value_name);
  if (value == nullptr || !value->IsNumber()) return fieldError(pointer(value_name), "a number");
  score.value = value->GetDouble();
  const auto* passed = at("passed");
  if (passed == nullptr || !passed->IsBool()) return fieldError(pointer("passed"), "a boolean");
  score.passed = passed->GetBool();
  if (const auto* report = at("report_id"); report != nullptr) {
    if (!report->IsString()) return fieldError(pointer("report_id"), "a string");
    score.report_id = std::string(report->GetString(), report->GetStringLength());
  }
  return score;
}

}  // namespace

GradingSource::GradingSource(const sdk::PluginContext&) {}

std::vector<sdk::ClaimedType> GradingSource::claims() const { return gradingClaims(); }

sdk::Result<std::vector<sdk::Command>> GradingSource::translate(const sdk::CloudEvent& event) {
  return translateGradingEvent(event);
}

std::vector<sdk::ClaimedType> gradingClaims() {
  std::vector<sdk::ClaimedType> claims;
  for (const auto& [type, schema] : kDataSchemas) claims.push_back({std::string(type), std::string(schema)});
  return claims;
}

sdk::Result<std::vector<sdk::Command>> translateGradingEvent(const sdk::CloudEvent& event) {
  const bool alias = event.type == kCollectionCompleted || event.type == kGradingCompleted;
  if (!alias && event.type != kCompleted && event.type != kFailed) {
    return sdk::Error{"type", "attribute \"type\": \"" + event.type + "\" is not a grading event type"};
  }
  const DataReader data(event);
  if (!data.valid()) return sdk::Error{"/data", "/data: " + event.type + " needs a JSON object"};
  // The earlier ADR called the session an "instance".
  auto session_id = nonEmptyString(data, alias ? "instance_id" : "lablet_session_id");
  if (!session_id) return session_id.error();

  if (event.type == kCollectionCompleted) {
    return std::vector<sdk::Command>{{"session.grade", commandArguments(session_id.value(), nullptr, nullptr)}};
  }
  if (event.type == kFailed) {
    const auto* given = data.find("reason");
    const std::string reason = given != nullptr && given->IsString() && given->GetStringLength() > 0
                                   ? std::string(given->GetString(), given->GetStringLength())
                                   : kDefaultFailure;
    return std::vector<sdk::Command>{{"session.fault", commandArguments(session_id.value(), nullptr, &reason)}};
  }
  auto score = scoreOf(data, alias);
  if (!score) return score.error();
  return std::vector<sdk::Command>{
      {"session.record_score", commandArguments(session_id.value(), &score.value(), nullptr)}};
}

}  // namespace ccm::sources::grading
