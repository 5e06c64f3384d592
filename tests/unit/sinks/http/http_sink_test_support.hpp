#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "fakes/cloudevents_receiver.hpp"
#include "http_sink.hpp"
#include "sink_test_events.hpp"
#include "plugin/http_client.hpp"

namespace ccm::sinks::http::testing {

inline sdk::CloudEvent makeEvent(int n) { return ccm::testing::numberedEvent("http", n); }

inline std::vector<sdk::CloudEvent> makeEvents(int count) { return ccm::testing::numberedEvents("http", count); }

// Sinks under test get the gateway's real PooledHttpClient through a FakeHost.
class HttpSinkFixture : public ::testing::Test {
protected:
  HttpSinkFixture() {
    host_.http_client_factory = [](const sdk::HttpClientOptions& options) {
      return std::make_unique<core::PooledHttpClient>(options);
    };
  }

  std::unique_ptr<HttpSink> makeSink(const std::string& config_json, const std::string& default_url = "") {
    return std::make_unique<HttpSink>(sdk::PluginContext{"events-http", config_json, "urn:test", default_url, host_});
  }

  // The error sdk::construct reports for this config, as the loader sees it.
  std::string constructError(const std::string& config_json, const std::string& default_url = "") {
    const auto created =
        sdk::construct<HttpSink, sdk::Sink>(sdk::PluginContext{"events-http", config_json, "", default_url, host_});
    EXPECT_EQ(created.object, nullptr);
    return created.error;
  }

  sdk::testing::FakeHost host_;
};

// A sink fixture with a real CloudEvents receiver on 127.0.0.1.
class ReceivingSinkFixture : public HttpSinkFixture {
protected:
  // The receiver's Host header value.
  std::string host() const { return "127.0.0.1:" + std::to_string(receiver_.port()); }

  std::string configFor(const std::string& extra = "") const {
    return "{\"url\":\"" + receiver_.url("/ingest") + "\"" + (extra.empty() ? "" : "," + extra) + "}";
  }

  // Delivers `events` and returns what the receiver got.
  std::vector<fakes::ReceivedRequest> deliverAll(HttpSink& sink, const std::vector<sdk::CloudEvent>& events,
                                                 std::size_t expected_requests) {
    for (const auto& outcome : sink.deliver(events)) {
      EXPECT_EQ(outcome.kind, sdk::Outcome::Kind::Delivered) << outcome.message;
    }
    EXPECT_TRUE(receiver_.waitForRequests(expected_requests));
    return receiver_.requests();
  }

  fakes::CloudEventsReceiver receiver_;
};

class TempDir {
public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ccm-http-sink-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
  std::filesystem::path path_;
};

// Sets an environment variable for one test.
class ScopedEnv {
public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
  std::string name_;
};

}  // namespace ccm::sinks::http::testing
