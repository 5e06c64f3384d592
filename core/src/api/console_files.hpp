#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "ccm/sdk/result.hpp"

namespace ccm::core {

// One static file of the console, read into memory.
struct ConsoleFile {
  std::string content_type;
  std::string body;
};

// The console's static files (docs/console.md), read once from one flat
// directory. Only names of letters, digits, '-', '_' and one known extension
// are taken, so no request path can name anything else (no "..", no
// subdirectory, no dotfile). At most kMaxFiles files of kMaxFileBytes each.
class ConsoleFiles {
public:
  static constexpr std::size_t kMaxFiles = 200;
  static constexpr std::size_t kMaxFileBytes = 4 << 20;

  // The error names the directory or file that cannot be used.
  static sdk::Result<ConsoleFiles> load(const std::filesystem::path& directory);

  // The file called `name`, or nullptr.
  const ConsoleFile* find(const std::string& name) const;
  std::size_t size() const { return files_.size(); }

private:
  std::map<std::string, ConsoleFile, std::less<>> files_;
};

// The Content-Type of a console file by its name; "" when it is not one a console serves.
std::string consoleContentType(const std::string& name);

}  // namespace ccm::core
