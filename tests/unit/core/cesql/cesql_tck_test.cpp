// Every case of the CESQL v1 TCK (tck/, copied from the CloudEvents spec
// repository), one test each: the parse errors it expects, and otherwise the
// value and the kind of error the evaluation gives.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cesql/expression.hpp"

namespace ccm::core::cesql {
namespace {

struct TckCase {
  std::string file;  // without ".yaml"
  std::string name;
  std::string expression;
  std::optional<Value> result;
  std::optional<std::string> error;
  sdk::CloudEvent event;
};

// The TCK's YAML types its values: a plain true/false (any case) is a
// Boolean, a plain integer an Integer, anything else, quoted values
// included ('5', "1.0"), a String.
Value valueOf(const YAML::Node& node) {
  const auto& text = node.Scalar();
  if (node.Tag() == "?") {
    std::string lower = text;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lower == "true" || lower == "false") return lower == "true";
    const bool integer = !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
    if (integer) return static_cast<std::int32_t>(std::stol(text));
  }
  return text;
}

void setAttribute(sdk::CloudEvent& event, const std::string& name, const YAML::Node& node) {
  const auto text = node.Scalar();
  if (name == "specversion")
    event.specversion = text;
  else if (name == "id")
    event.id = text;
  else if (name == "source")
    event.source = text;
  else if (name == "type")
    event.type = text;
  else if (name == "subject")
    event.subject = text;
  else if (name == "time")
    event.time = text;
  else if (name == "datacontenttype")
    event.datacontenttype = text;
  else if (name == "dataschema")
    event.dataschema = text;
  else
    event.extensions[name] = valueOf(node);
}

// "Any valid event" where a case names none: every optional context attribute
// set, and extensions of each type whose names no case uses.
sdk::CloudEvent anyValidEvent() {
  sdk::CloudEvent event;
  event.id = "tck-event-1";
  event.source = "https://example.com/tck";
  event.type = "com.example.tck";
  event.subject = "tck-subject";
  event.time = "2024-06-13T12:00:00Z";
  event.datacontenttype = "application/json";
  event.dataschema = "https://example.com/tck/schema";
  event.extensions = {{"tckbool", true}, {"tckint", std::int32_t{42}}, {"tckstring", std::string("tck")}};
  return event;
}

std::vector<TckCase> loadTck() {
  const std::filesystem::path folder = std::filesystem::path(CCM_SOURCE_DIR) / "tests/unit/core/cesql/tck";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<TckCase> cases;
  for (const auto& file : files) {
    const auto suite = YAML::LoadFile(file.string());
    for (const auto& test : suite["tests"]) {
      TckCase tck;
      tck.file = file.stem().string();
      tck.name = test["name"].as<std::string>();
      tck.expression = test["expression"].as<std::string>();
      if (test["result"]) tck.result = valueOf(test["result"]);
      if (test["error"]) tck.error = test["error"].as<std::string>();
      if (test["event"]) {
        tck.event = sdk::CloudEvent{};
        for (const auto& attribute : test["event"]) {
          setAttribute(tck.event, attribute.first.as<std::string>(), attribute.second);
        }
      } else {
        tck.event = anyValidEvent();
      }
      for (const auto& attribute : test["eventOverrides"]) {
        setAttribute(tck.event, attribute.first.as<std::string>(), attribute.second);
      }
      cases.push_back(std::move(tck));
    }
  }
  return cases;
}

std::string describe(const Value& value) {
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int32_t>(&value)) return std::to_string(*i);
  return "'" + std::get<std::string>(value) + "'";
}

// Where the TCK contradicts the spec it tests, the spec wins, and the case
// asserts what the spec says instead. There is one: not_operator.yaml's
// "Invalid int cast" expects NOT 10 to be true with a CastError, from a
// draft that had no Integer -> Boolean cast. CESQL v1 3.7 makes that cast a
// MUST ("false if the integer is 0, and true otherwise"), and its own
// casting_functions.yaml has BOOL(100) true without error; so NOT 10 is NOT
// true: false, no error. (The sdk-go copy of the TCK carries that fix.)
struct Deviation {
  std::string_view file;
  std::string_view name;
  Value result;
};
const Deviation kDeviations[] = {{"not_operator", "Invalid int cast", false}};

class CesqlTck : public ::testing::TestWithParam<TckCase> {};

TEST_P(CesqlTck, GivesTheExpectedResultAndError) {
  const auto& tck = GetParam();
  SCOPED_TRACE(tck.file + ": " + tck.name + ": " + tck.expression);
  auto parsed = Expression::parse(tck.expression);
  if (tck.error == "parse") {
    EXPECT_FALSE(parsed) << "parsed, but the TCK expects a parse error";
    return;
  }
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto evaluation = parsed.value().evaluate(tck.event);

  auto expected_result = tck.result;
  auto expected_error = tck.error;
  for (const auto& deviation : kDeviations) {
    if (deviation.file == tck.file && deviation.name == tck.name) {
      expected_result = deviation.result;
      expected_error.reset();
    }
  }
  if (expected_error) {
    ASSERT_TRUE(evaluation.error) << "no error, expected " << *expected_error;
    EXPECT_EQ(errorKindName(evaluation.error->kind), *expected_error) << evaluation.error->message;
  } else {
    EXPECT_FALSE(evaluation.error) << evaluation.error->message;
  }
  ASSERT_TRUE(expected_result) << "the TCK case gives no result";
  EXPECT_EQ(evaluation.value, *expected_result)
      << "got " << describe(evaluation.value) << ", expected " << describe(*expected_result);
}

std::string testName(const ::testing::TestParamInfo<TckCase>& info) {
  std::string name = info.param.file + "_" + std::to_string(info.index) + "_" + info.param.name;
  for (auto& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Spec, CesqlTck, ::testing::ValuesIn(loadTck()), testName);

// Guards against a TCK that silently failed to load: the copied files hold
// this many cases (count them again when the files are updated).
TEST(CesqlTckFiles, AllCasesAreLoaded) {
  EXPECT_EQ(loadTck().size(), 275u);
}

}  // namespace
}  // namespace ccm::core::cesql
