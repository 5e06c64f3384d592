#include "file_sink.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/schema.h>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "ccm/sdk/testing/plugin_module.hpp"

namespace ccm::sinks::file {
namespace {

namespace fs = std::filesystem;
using sdk::Outcome;

class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ccm-file-sink-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& path() const { return path_; }

private:
  fs::path path_;
};

sdk::CloudEvent makeEvent(int n) {
  char id[16];
  std::snprintf(id, sizeof id, "evt-%04d", n);
  sdk::CloudEvent event;
  event.id = id;
  event.source = "/tests/file-sink";
  event.type = "com.example.file-sink.test";
  event.datacontenttype = "application/json";
  event.data = sdk::Data::json("{\"n\":" + std::to_string(n % 10) + "}");
  return event;
}

std::vector<sdk::CloudEvent> makeEvents(int first, int count) {
  std::vector<sdk::CloudEvent> events;
  for (int n = first; n < first + count; ++n) events.push_back(makeEvent(n));
  return events;
}

std::string line(int n) { return sdk::toStructured(makeEvent(n)) + "\n"; }

std::string lines(int first, int count) {
  std::string text;
  for (int n = first; n < first + count; ++n) text += line(n);
  return text;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string configFor(const std::string& path, const std::string& extra = "") {
  return "{\"path\":\"" + path + "\"" + (extra.empty() ? "" : "," + extra) + "}";
}

std::unique_ptr<FileSink> makeSink(sdk::Host& host, const std::string& config_json) {
  return std::make_unique<FileSink>(sdk::PluginContext{"events-file", config_json, "/tests", "", host});
}

// The error ccm::sdk::construct reports for this config, as the loader sees it.
std::string constructError(const std::string& config_json) {
  sdk::testing::FakeHost host;
  const auto created = sdk::construct<FileSink, sdk::Sink>(sdk::PluginContext{"events-file", config_json, "", "", host});
  EXPECT_EQ(created.object, nullptr);
  return created.error;
}

void expectAllDelivered(const std::vector<Outcome>& outcomes, std::size_t count) {
  ASSERT_EQ(outcomes.size(), count);
  for (const auto& outcome : outcomes) EXPECT_EQ(outcome.kind, Outcome::Kind::Delivered) << outcome.message;
}

// Runs `body` in a forked child (for process-wide settings such as rlimits and
// user ids) and returns the text it produced.
std::string runInChild(const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = body();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t count = ::write(fds[1], out.data() + done, out.size() - done);
      if (count <= 0) ::_exit(2);
      done += static_cast<std::size_t>(count);
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t count; (count = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (count < 0 && errno == EINTR) continue;
    if (count < 0) break;
    out.append(buffer, static_cast<std::size_t>(count));
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child status " << status;
  return out;
}

// --- writing ---------------------------------------------------------------

TEST(FileSinkWrite, AppendsOneStructuredJsonLinePerEventInOrder) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path));

  expectAllDelivered(sink->deliver(makeEvents(0, 3)), 3);
  expectAllDelivered(sink->deliver(makeEvents(3, 2)), 2);

  EXPECT_EQ(readFile(path), lines(0, 5));
  EXPECT_EQ(sdk::toStructured(makeEvent(0)).find('\n'), std::string::npos);
  EXPECT_EQ(host.metricValue("file_sink_events_written_total"), 5.0);
  EXPECT_EQ(host.metricValue("file_sink_write_errors_total"), 0.0);
}

TEST(FileSinkWrite, LineBreaksInJsonDataDoNotSplitTheLine) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  sdk::CloudEvent event = makeEvent(0);
  event.data = sdk::Data::json("{\n  \"text\": \"a\\nb\"\r\n}");
  expectAllDelivered(makeSink(host, configFor(path))->deliver({event}), 1);

  const std::string content = readFile(path);
  ASSERT_EQ(content.find('\n'), content.size() - 1) << content;
  const auto parsed = sdk::parseStructured(content);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed.value().id, event.id);
  EXPECT_NE(parsed.value().data.value().find("a\\nb"), std::string::npos) << parsed.value().data.value();
}

TEST(FileSinkWrite, AppendsToAnExistingFile) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  expectAllDelivered(makeSink(host, configFor(path))->deliver(makeEvents(0, 2)), 2);
  expectAllDelivered(makeSink(host, configFor(path))->deliver(makeEvents(2, 2)), 2);
  EXPECT_EQ(readFile(path), lines(0, 4));
}

TEST(FileSinkWrite, EmptyBatchGivesNoOutcomesAndWritesNothing) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path));
  EXPECT_TRUE(sink->deliver({}).empty());
  EXPECT_EQ(readFile(path), "");
}

TEST(FileSinkWrite, CreatesMissingParentDirectories) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("a/b/events.jsonl");
  auto sink = makeSink(host, configFor(path));
  expectAllDelivered(sink->deliver(makeEvents(0, 1)), 1);
  EXPECT_EQ(readFile(path), lines(0, 1));
}

TEST(FileSinkWrite, ConcurrentDeliveriesNeverInterleaveLines) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path, "\"fsync\":\"never\""));
  constexpr int kThreads = 4;
  constexpr int kBatches = 25;
  constexpr int kBatchSize = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) sink->deliver(makeEvents((t * kBatches + b) * kBatchSize, kBatchSize));
    });
  }
  for (auto& thread : threads) thread.join();

  // Every batch is contiguous and in order; batches may come in any order.
  const std::string content = readFile(path);
  std::size_t batches_found = 0;
  for (int batch = 0; batch < kThreads * kBatches; ++batch) {
    if (content.find(lines(batch * kBatchSize, kBatchSize)) != std::string::npos) ++batches_found;
  }
  EXPECT_EQ(batches_found, static_cast<std::size_t>(kThreads * kBatches));
  EXPECT_EQ(content.size(), lines(0, kThreads * kBatches * kBatchSize).size());
}

class FileSinkFsync : public ::testing::TestWithParam<std::string> {};

TEST_P(FileSinkFsync, ModeIsAcceptedAndEveryEventIsWritten) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path, "\"fsync\":\"" + GetParam() + "\""));
  expectAllDelivered(sink->deliver(makeEvents(0, 3)), 3);
  expectAllDelivered(sink->deliver(makeEvents(3, 1)), 1);
  EXPECT_EQ(readFile(path), lines(0, 4));
}

INSTANTIATE_TEST_SUITE_P(Modes, FileSinkFsync, ::testing::Values("always", "batch", "never"));

// --- rotation ----------------------------------------------------------------

TEST(FileSinkRotation, ShiftsGenerationsAndDropsTheOldestBeyondMaxFiles) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  ASSERT_EQ(line(0).size(), line(9).size());
  const std::size_t two_lines = line(0).size() * 2;
  auto sink = makeSink(host, configFor(path, "\"rotate_bytes\":" + std::to_string(two_lines) + ",\"max_files\":2"));

  // Two lines fit per file: [0 1] [2 3] [4 5] [6]; the first file is dropped.
  expectAllDelivered(sink->deliver(makeEvents(0, 3)), 3);
  expectAllDelivered(sink->deliver(makeEvents(3, 4)), 4);

  EXPECT_EQ(readFile(path), lines(6, 1));
  EXPECT_EQ(readFile(path + ".1"), lines(4, 2));
  EXPECT_EQ(readFile(path + ".2"), lines(2, 2));
  EXPECT_FALSE(fs::exists(path + ".3"));
  EXPECT_EQ(host.metricValue("file_sink_rotations_total"), 3.0);
  EXPECT_EQ(host.metricValue("file_sink_events_written_total"), 7.0);

  std::size_t rotation_logs = 0;
  for (const auto& record : host.logs()) {
    if (record.level == sdk::LogLevel::Info && !record.fields.empty() && record.fields[0] == std::pair{std::string("path"), path}) {
      ++rotation_logs;
    }
  }
  EXPECT_EQ(rotation_logs, 3u);
}

TEST(FileSinkRotation, LineLongerThanTheLimitGetsAFileOfItsOwn) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path, "\"rotate_bytes\":10"));
  expectAllDelivered(sink->deliver(makeEvents(0, 3)), 3);
  EXPECT_EQ(readFile(path), lines(2, 1));
  EXPECT_EQ(readFile(path + ".1"), lines(1, 1));
  EXPECT_EQ(readFile(path + ".2"), lines(0, 1));
  EXPECT_FALSE(fs::exists(path + ".3"));
}

TEST(FileSinkRotation, ContinuesFromTheSizeOfAnExistingFile) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  const std::string config = configFor(path, "\"rotate_bytes\":" + std::to_string(line(0).size() * 2));
  expectAllDelivered(makeSink(host, config)->deliver(makeEvents(0, 1)), 1);
  expectAllDelivered(makeSink(host, config)->deliver(makeEvents(1, 2)), 2);
  EXPECT_EQ(readFile(path + ".1"), lines(0, 2));
  EXPECT_EQ(readFile(path), lines(2, 1));
}

TEST(FileSinkRotation, ZeroDisablesRotation) {
  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  auto sink = makeSink(host, configFor(path, "\"rotate_bytes\":0"));
  expectAllDelivered(sink->deliver(makeEvents(0, 20)), 20);
  EXPECT_EQ(readFile(path), lines(0, 20));
  EXPECT_FALSE(fs::exists(path + ".1"));
}

// --- failures ----------------------------------------------------------------

TEST(FileSinkFailure, FullDiskMakesEveryEventRetryable) {
  sdk::testing::FakeHost host;
  auto sink = makeSink(host, configFor("/dev/full"));
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto outcomes = sink->deliver(makeEvents(0, 3));
    ASSERT_EQ(outcomes.size(), 3u);
    for (const auto& outcome : outcomes) {
      EXPECT_EQ(outcome.kind, Outcome::Kind::Retryable);
      EXPECT_NE(outcome.message.find("No space left on device"), std::string::npos) << outcome.message;
      EXPECT_NE(outcome.message.find("/dev/full"), std::string::npos) << outcome.message;
    }
  }
  EXPECT_EQ(host.metricValue("file_sink_write_errors_total"), 2.0);
  EXPECT_EQ(host.metricValue("file_sink_events_written_total"), 0.0);
  const auto logs = host.logs();
  ASSERT_FALSE(logs.empty());
  EXPECT_EQ(logs.back().level, sdk::LogLevel::Error);
  const sdk::LogFields expected_fields{{"path", "/dev/full"}, {"error", "No space left on device"}};
  EXPECT_EQ(logs.back().fields, expected_fields);
}

TEST(FileSinkFailure, WriteFailureMidBatchKeepsEarlierEventsAndLeavesNoPartialLine) {
  TempDir dir;
  const std::string path = dir.file("events.jsonl");
  // The file size limit falls inside the second line: its write is partial,
  // then fails with EFBIG (SIGXFSZ ignored so the process survives).
  const rlim_t limit = line(0).size() + line(1).size() / 2;
  const std::string report = runInChild([&] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit file_size{limit, limit};
    if (::setrlimit(RLIMIT_FSIZE, &file_size) != 0) return std::string("setrlimit failed");
    sdk::testing::FakeHost host;
    std::string out;
    for (const auto& outcome : makeSink(host, configFor(path))->deliver(makeEvents(0, 3))) {
      out += (outcome.kind == Outcome::Kind::Delivered ? "delivered" : outcome.kind == Outcome::Kind::Retryable ? "retryable" : "permanent");
      out += " " + outcome.message + "\n";
    }
    return out;
  });

  const std::string retryable = "retryable cannot write " + path + ": File too large\n";
  EXPECT_EQ(report, "delivered \n" + retryable + retryable);
  EXPECT_EQ(readFile(path), lines(0, 1));

  // Retrying the failed events (as the dispatcher would) keeps the order.
  sdk::testing::FakeHost host;
  expectAllDelivered(makeSink(host, configFor(path))->deliver(makeEvents(1, 2)), 2);
  EXPECT_EQ(readFile(path), lines(0, 3));
}

// --- configuration -------------------------------------------------------------

TEST(FileSinkConfig, MissingPathNamesTheField) {
  EXPECT_EQ(constructError("{}"), "file sink config \"path\": is required");
  EXPECT_EQ(constructError(""), "file sink config \"path\": is required");
}

TEST(FileSinkConfig, UnusableValuesNameTheField) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"\"path\":\"\"", "path"},
      {"\"path\":7", "path"},
      {"\"fsync\":\"sometimes\"", "fsync"},
      {"\"rotate_bytes\":-1", "rotate_bytes"},
      {"\"rotate_bytes\":1.5", "rotate_bytes"},
      {"\"max_files\":0", "max_files"},
      {"\"max_files\":1001", "max_files"},
      {"\"create_directories\":\"yes\"", "create_directories"},
      {"\"colour\":\"blue\"", "colour"},
  };
  TempDir dir;
  for (const auto& [member, field] : cases) {
    const std::string config = "{\"path\":\"" + dir.file("events.jsonl") + "\"," + member + "}";
    EXPECT_NE(constructError(config).find("\"" + field + "\""), std::string::npos) << config;
  }
  EXPECT_EQ(constructError("[1]"), "file sink config: must be a JSON object");
  EXPECT_EQ(constructError("{\"path\":"), "file sink config: must be a JSON object");
}

TEST(FileSinkConfig, UnwritableDirectoryNamesPath) {
  TempDir dir;
  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);
  const std::string path = (locked / "events.jsonl").string();
  // root ignores permissions, so the child drops to an unprivileged user.
  const std::string error = runInChild([&] {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) return std::string("cannot drop privileges");
    return constructError(configFor(path));
  });
  EXPECT_EQ(error, "file sink config \"path\": cannot open " + path + ": Permission denied");
  EXPECT_FALSE(fs::exists(path));
}

TEST(FileSinkConfig, ParentThatIsAFileNamesPath) {
  TempDir dir;
  std::ofstream(dir.file("blocker")) << "x";
  const std::string error = constructError(configFor(dir.file("blocker/events.jsonl")));
  EXPECT_EQ(error.rfind("file sink config \"path\": cannot create directory " + dir.file("blocker") + ": ", 0), 0u)
      << error;
}

TEST(FileSinkConfig, WithoutCreateDirectoriesAMissingParentIsAnError) {
  TempDir dir;
  const std::string path = dir.file("missing/events.jsonl");
  EXPECT_EQ(constructError(configFor(path, "\"create_directories\":false")),
            "file sink config \"path\": cannot open " + path + ": No such file or directory");
  EXPECT_FALSE(fs::exists(dir.file("missing")));
}

// --- schema and module ----------------------------------------------------------

std::string schemaText() { return readFile(std::string(CCM_SOURCE_DIR) + "/sinks/file/schema.json"); }

bool schemaAccepts(const std::string& config) {
  rapidjson::Document schema_json;
  schema_json.Parse(schemaText());
  EXPECT_FALSE(schema_json.HasParseError());
  const rapidjson::SchemaDocument schema(schema_json);
  rapidjson::Document document;
  document.Parse(config);
  EXPECT_FALSE(document.HasParseError()) << config;
  rapidjson::SchemaValidator validator(schema);
  return document.Accept(validator);
}

TEST(FileSinkSchema, AcceptsDocumentedConfigsAndRejectsWhatTheSinkRejects) {
  EXPECT_TRUE(schemaAccepts(R"({"path": "./var/events.jsonl"})"));
  EXPECT_TRUE(schemaAccepts(
      R"({"path": "/x", "fsync": "always", "rotate_bytes": 0, "max_files": 1, "create_directories": false})"));
  EXPECT_FALSE(schemaAccepts(R"({})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": ""})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "fsync": "sometimes"})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "rotate_bytes": -1})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "rotate_bytes": 1.5})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "max_files": 0})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "create_directories": "yes"})"));
  EXPECT_FALSE(schemaAccepts(R"({"path": "/x", "colour": "blue"})"));
}

TEST(FileSinkModule, ExportsTheDescriptorAndCreatesAWorkingSink) {
  sdk::testing::PluginModule module(std::string(CCM_BINARY_DIR) + "/plugins/libccm-sink-file.so");
  ASSERT_TRUE(module.loaded()) << module.error();
  EXPECT_EQ(module.abiVersion(), sdk::kAbiVersion);
  ASSERT_NE(module.descriptor(), nullptr);

  const sdk::PluginDescriptor& descriptor = *module.descriptor();
  EXPECT_STREQ(descriptor.name, "file");
  EXPECT_EQ(descriptor.kind, sdk::PluginKind::Sink);
  EXPECT_STREQ(descriptor.version, "0.1.0");
  EXPECT_GT(std::string(descriptor.description).size(), 0u);
  EXPECT_EQ(descriptor.config_schema, schemaText());
  ASSERT_NE(descriptor.create_sink, nullptr);
  EXPECT_EQ(descriptor.create_source, nullptr);

  TempDir dir;
  sdk::testing::FakeHost host;
  const std::string path = dir.file("events.jsonl");
  {
    auto created = descriptor.create_sink(sdk::PluginContext{"events-file", configFor(path), "", "", host});
    ASSERT_NE(created.object, nullptr) << created.error;
    expectAllDelivered(created.object->deliver(makeEvents(0, 2)), 2);
    EXPECT_EQ(descriptor.create_sink(sdk::PluginContext{"bad", "{}", "", "", host}).error,
              "file sink config \"path\": is required");
  }
  EXPECT_EQ(readFile(path), lines(0, 2));
}

}  // namespace
}  // namespace ccm::sinks::file
