#include "config/cesql_filter_check.hpp"

#include "cesql/filter.hpp"

namespace ccm::core {

std::optional<sdk::Error> checkCesqlFilter(const rapidjson::Value& sink, const std::string& pointer) {
  const auto delivery = sink.FindMember("delivery");
  if (delivery == sink.MemberEnd() || !delivery->value.IsObject()) return std::nullopt;
  const auto filter = delivery->value.FindMember("filter");
  if (filter == delivery->value.MemberEnd() || !filter->value.IsObject()) return std::nullopt;
  const auto expression = filter->value.FindMember("cesql");
  if (expression == filter->value.MemberEnd() || !expression->value.IsString()) return std::nullopt;
  const auto compiled = cesql::Filter::compile({expression->value.GetString(), expression->value.GetStringLength()});
  if (compiled) return std::nullopt;
  const auto where = pointer + "/delivery/filter/cesql";
  return sdk::Error{where, where + ": not a valid CESQL filter: " + compiled.error().describe()};
}

}  // namespace ccm::core
