// A CESQL filter expression (sinks[].delivery.filter.cesql), parsed and, when
// it parses, evaluated against a fixed event with every kind of attribute.
#include <string>

#include "cesql/expression.hpp"
#include "cesql/filter.hpp"
#include "fuzz_target.hpp"

namespace {

const ccm::sdk::CloudEvent& event() {
  static const ccm::sdk::CloudEvent fixed = [] {
    ccm::sdk::CloudEvent e;
    e.id = "fuzz-1";
    e.source = "urn:ccm-gateway:fuzz";
    e.type = "ccm.lablet.session.running";
    e.subject = "session-é-1";
    e.time = "2026-01-01T00:00:00Z";
    e.datacontenttype = "application/json";
    e.extensions = {{"flag", true}, {"count", std::int32_t{-2147483647 - 1}}, {"text", std::string(" 12 ")}};
    return e;
  }();
  return fixed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = ccm::fuzz::asText(data, size);
  using ccm::core::cesql::Type;
  auto parsed = ccm::core::cesql::Expression::parse(text);
  auto filter = ccm::core::cesql::Filter::compile(text);
  if (!parsed) {
    if (filter) ccm::fuzz::propertyFailed("a filter compiled from an expression that does not parse");
    if (parsed.error().message.empty() || parsed.error().position == 0) {
      ccm::fuzz::propertyFailed("a parse error without a message or a position");
    }
    return 0;
  }
  const auto result = parsed.value().evaluate(event());
  const Type type = parsed.value().root().type;
  if (!result.error && type != Type::Any && ccm::core::cesql::typeOf(result.value) != type) {
    ccm::fuzz::propertyFailed("a value of another type than the expression's");
  }
  if (filter && filter.value().matches(event()) != (!result.error && result.value == ccm::core::cesql::Value(true))) {
    ccm::fuzz::propertyFailed("the filter and the expression disagree");
  }
  return 0;
}
