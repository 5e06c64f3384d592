#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ccm/sdk/pod_generator.hpp"

namespace ccm::plugins::pod_generator::testing {

inline std::string readSourceFile(const std::string& relative) {
  std::ifstream in(std::string(CCM_SOURCE_DIR) + "/" + relative);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << "cannot read " << relative;
  return text.str();
}

inline std::string readLab(const std::string& name) {
  return readSourceFile("tests/fixtures/labs/" + name);
}

// The JSON text without insignificant white space, member order kept, so an
// expected Pod can be written readably and still compared byte for byte.
inline std::string compact(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  EXPECT_FALSE(document.HasParseError()) << "expected JSON does not parse: " << json;
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  document.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

inline sdk::PodRequest requestFor(const std::string& lab, std::map<std::string, std::uint16_t> ports,
                                  const std::string& definition_json = "") {
  return sdk::PodRequest{.session_id = "sess-1",
                         .lab_yaml = readLab(lab),
                         .allocated_ports = std::move(ports),
                         .worker_public_address = "198.51.100.7",
                         .worker_private_address = "10.0.0.7",
                         .definition_json = definition_json};
}

}  // namespace ccm::plugins::pod_generator::testing
