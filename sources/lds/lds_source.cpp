#include "lds_source.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "lds_data_schemas.hpp"

namespace ccm::sources::lds {
namespace {

constexpr std::string_view kStarted = "lds.session.started";
constexpr std::string_view kEnded = "lds.session.ended";

// The core validated the data against the claimed schema; this re-checks only
// what translation relies on, so the function stays safe on its own.
sdk::Result<std::string> sessionIdOf(const sdk::CloudEvent& event) {
  rapidjson::Document data;
  if (event.data.kind() == sdk::Data::Kind::Json) {
    data.Parse<rapidjson::kParseIterativeFlag>(event.data.value().c_str(), event.data.value().size());
  }
  if (event.data.kind() != sdk::Data::Kind::Json || data.HasParseError() || !data.IsObject()) {
    return sdk::Error{"/data", "/data: " + event.type + " needs a JSON object"};
  }
  const auto it = data.FindMember("lablet_session_id");
  if (it == data.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() == 0) {
    return sdk::Error{"/data/lablet_session_id", "/data/lablet_session_id: expected a non-empty string"};
  }
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

sdk::Command sessionCommand(const char* name, const std::string& session_id) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("session_id");
  writer.String(session_id.c_str(), static_cast<rapidjson::SizeType>(session_id.size()));
  writer.EndObject();
  return {name, std::string(buffer.GetString(), buffer.GetSize())};
}

}  // namespace

LdsSource::LdsSource(const sdk::PluginContext&) {}

std::vector<sdk::ClaimedType> LdsSource::claims() const { return ldsClaims(); }

sdk::Result<std::vector<sdk::Command>> LdsSource::translate(const sdk::CloudEvent& event) {
  return translateLdsEvent(event);
}

std::vector<sdk::ClaimedType> ldsClaims() {
  std::vector<sdk::ClaimedType> claims;
  for (const auto& [type, schema] : kDataSchemas) claims.push_back({std::string(type), std::string(schema)});
  return claims;
}

sdk::Result<std::vector<sdk::Command>> translateLdsEvent(const sdk::CloudEvent& event) {
  if (event.type != kStarted && event.type != kEnded) {
    return sdk::Error{"type", "attribute \"type\": \"" + event.type + "\" is not an LDS event type"};
  }
  auto session_id = sessionIdOf(event);
  if (!session_id) return session_id.error();
  // ended implies collection: the engine creates the GradingSession and ends
  // the UserSession as part of session.collect.
  const char* command = event.type == kStarted ? "session.mark_running" : "session.collect";
  return std::vector<sdk::Command>{sessionCommand(command, session_id.value())};
}

}  // namespace ccm::sources::lds
