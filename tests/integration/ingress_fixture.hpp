#pragma once

// Shared by the ingress integration tests: runs the real ccm-gateway with the
// lds and grading sources against SQLite or PostgreSQL and talks to it over
// HTTP with whatever headers a CloudEvents sender would use.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "child_process.hpp"
#include "http_call.hpp"
#include "store/store.hpp"

namespace ccm::testing {

using HeaderList = ccm::testing::HttpHeaderList;

struct Reply {
  int status = 0;
  std::string content_type;
  std::string www_authenticate;
  std::string body;
};

inline constexpr const char* kLdsToken = "lds-test-token";
inline constexpr const char* kGradingSecret = "grading-test-secret";

rapidjson::Document parseJson(const std::string& text);

// One structured-mode event (JSON text) with JSON `data`.
std::string structuredEvent(const std::string& type, const std::string& id, const std::string& data,
                            const std::string& source = "urn:test-sender");

class IngressTest : public ::testing::TestWithParam<std::string> {
protected:
  void SetUp() override;
  void TearDown() override;

  // Starts the gateway; `ingress` is the config's "ingress" object, `sinks`
  // its "sinks" array.
  void start(const std::string& ingress = "{}", int reconcile_interval_ms = 3600000, const std::string& sinks = "[]");

  // POST /api/v1/events. `chunked` sends without Content-Length.
  Reply postEvents(const std::string& body, const std::string& content_type, const HeaderList& headers = {},
                   bool chunked = false);
  // Structured or batch posts with the lds bearer token / the grading signature.
  Reply postLds(const std::string& body, const std::string& content_type = "application/cloudevents+json");
  Reply postGrading(const std::string& body, const std::string& content_type = "application/cloudevents+json");

  Reply get(const std::string& path);
  Reply postApi(const std::string& path, const std::string& body = "{}");

  // A session brought to `ready` (or only to `instantiating`) through the REST API.
  std::string readySession(bool stop_at_instantiating = false);
  std::string sessionState(const std::string& session);
  rapidjson::Document session(const std::string& session);
  // Types of the logged events with this subject / of this type glob.
  std::vector<std::string> eventTypes(const std::string& subject);
  rapidjson::Document eventsOfType(const std::string& glob);
  // The store the gateway uses, opened by the test to check child entities.
  ccm::core::Store& store();

  std::filesystem::path dir_;
  std::string store_json_;
  std::string database_;
  std::unique_ptr<ChildProcess> gateway_;
  std::unique_ptr<ccm::core::Store> store_;
  std::uint16_t port_ = 0;
  std::string worker_;
};

}  // namespace ccm::testing
