// Unit test of the sink without the gateway: the SDK's FakeHost stands in for
// the gateway's Host and records logs and metrics. No test framework needed;
// use GoogleTest or Catch2 the same way if you prefer.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "summary_sink.hpp"

namespace {

int failures = 0;

void check(bool ok, const std::string& what) {
  if (!ok) {
    std::cerr << "FAILED: " << what << "\n";
    ++failures;
  }
}

ccm::sdk::CloudEvent event(std::string id, std::string type) {
  ccm::sdk::CloudEvent e;
  e.id = std::move(id);
  e.source = "urn:test";
  e.type = std::move(type);
  e.subject = "session-1";
  e.time = "2026-01-02T03:04:05Z";
  return e;
}

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string jsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void writesOneLinePerEventInOrder(const std::filesystem::path& dir) {
  ccm::sdk::testing::FakeHost host;
  const auto path = dir / "summary.log";
  ccm::sdk::PluginContext context{"summary", "{\"path\":" + jsonString(path.string()) + "}", "urn:gw", "", host};
  // Create the object through the factory, as the gateway does.
  auto created = ccm::sdk::construct<example::SummarySink, ccm::sdk::Sink>(context);
  check(created.object != nullptr, "factory creates the sink: " + created.error);
  if (!created.object) return;

  auto outcomes = created.object->deliver({event("1", "ccm.a"), event("2", "ccm.b")});
  check(outcomes.size() == 2, "one outcome per event");
  for (const auto& outcome : outcomes) check(outcome.kind == ccm::sdk::Outcome::Kind::Delivered, "delivered");
  check(readFile(path) ==
            "2026-01-02T03:04:05Z\tccm.a\tsession-1\t1\turn:test\n"
            "2026-01-02T03:04:05Z\tccm.b\tsession-1\t2\turn:test\n",
        "file holds both lines in order, got: " + readFile(path));
  check(host.metricValue("example_summary_lines_total") == 2, "counter counts the lines");
  check(!host.logs().empty() && host.logs().front().message == "example-summary sink ready", "logs readiness");
}

void factoryReportsAMissingPath() {
  ccm::sdk::testing::FakeHost host;
  ccm::sdk::PluginContext context{"summary", "{}", "urn:gw", "", host};
  auto created = ccm::sdk::construct<example::SummarySink, ccm::sdk::Sink>(context);
  check(created.object == nullptr, "no sink without a path");
  check(created.error.find("\"path\": is required") != std::string::npos, "error names the setting: " + created.error);
}

void factoryReportsAnUnopenableFile(const std::filesystem::path& dir) {
  ccm::sdk::testing::FakeHost host;
  // A directory cannot be opened for appending.
  ccm::sdk::PluginContext context{"summary", "{\"path\":" + jsonString(dir.string()) + "}", "urn:gw", "", host};
  auto created = ccm::sdk::construct<example::SummarySink, ccm::sdk::Sink>(context);
  check(created.object == nullptr, "no sink on an unopenable path");
  check(created.error.find("cannot open") != std::string::npos, "error says why: " + created.error);
}

void configReaderDecodesEscapes() {
  check(example::stringMember(R"({ "path" : "a\"b\\c\u00e9\ud83d\ude00" })", "path") == "a\"b\\c\xc3\xa9\xf0\x9f\x98\x80",
        "escapes decoded");
  bool threw = false;
  try {
    example::stringMember(R"({"path":"x",})", "path");
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  check(threw, "trailing comma refused");
}

}  // namespace

int main() {
  char pattern[] = "/tmp/summary-sink-test.XXXXXX";
  const char* dir = ::mkdtemp(pattern);
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return 2;
  }
  writesOneLinePerEventInOrder(dir);
  factoryReportsAMissingPath();
  factoryReportsAnUnopenableFile(dir);
  configReaderDecodesEscapes();
  std::filesystem::remove_all(dir);
  if (failures == 0) std::cout << "summary_sink_test: all checks passed\n";
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
