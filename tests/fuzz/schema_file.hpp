#pragma once

// A JSON Schema file of the source tree, compiled as the gateway compiles it
// (for the targets that validate with the gateway's schemas).
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "config/json_schema.hpp"
#include "fuzz_target.hpp"

namespace ccm::fuzz {

inline std::shared_ptr<const core::JsonSchema> compileSchemaFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  auto schema = core::JsonSchema::compile(text.str(), file.filename().string());
  if (!schema) propertyFailed("a schema of the source tree does not compile");
  return schema.value();
}

}  // namespace ccm::fuzz
