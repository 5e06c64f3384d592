#include "api/console_files.hpp"

#include <fstream>
#include <sstream>

namespace ccm::core {
namespace {

namespace fs = std::filesystem;

bool allowedStem(std::string_view stem) {
  if (stem.empty()) return false;
  for (char c : stem) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string consoleContentType(const std::string& name) {
  static const std::pair<std::string_view, std::string_view> kTypes[] = {{".html", "text/html; charset=utf-8"},
                                                                         {".css", "text/css; charset=utf-8"},
                                                                         {".js", "text/javascript; charset=utf-8"},
                                                                         {".svg", "image/svg+xml"},
                                                                         {".png", "image/png"},
                                                                         {".ico", "image/x-icon"},
                                                                         {".json", "application/json"}};
  const auto dot = name.find('.');
  if (dot == std::string::npos || !allowedStem(std::string_view(name).substr(0, dot))) return "";
  for (const auto& [extension, type] : kTypes) {
    if (std::string_view(name).substr(dot) == extension) return std::string(type);
  }
  return "";
}

sdk::Result<ConsoleFiles> ConsoleFiles::load(const fs::path& directory) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    return sdk::Error{"/server/console/directory",
                      directory.string() + ": not a directory (the console's files)"};
  }
  ConsoleFiles files;
  for (const auto& entry : fs::directory_iterator(directory, error)) {
    const auto name = entry.path().filename().string();
    const auto type = consoleContentType(name);
    if (type.empty() || !entry.is_regular_file()) continue;  // not one we serve
    if (files.files_.size() >= kMaxFiles || entry.file_size() > kMaxFileBytes) {
      return sdk::Error{"/server/console/directory", entry.path().string() + ": the console takes at most " +
                                                         std::to_string(kMaxFiles) + " files of " +
                                                         std::to_string(kMaxFileBytes) + " bytes"};
    }
    std::ifstream in(entry.path(), std::ios::binary);
    if (!in.is_open()) return sdk::Error{"/server/console/directory", entry.path().string() + ": cannot be read"};
    std::ostringstream body;
    body << in.rdbuf();
    files.files_.emplace(name, ConsoleFile{type, body.str()});
  }
  if (error) return sdk::Error{"/server/console/directory", directory.string() + ": " + error.message()};
  if (!files.find("index.html")) {
    return sdk::Error{"/server/console/directory", directory.string() + ": has no index.html (the console's files)"};
  }
  return files;
}

const ConsoleFile* ConsoleFiles::find(const std::string& name) const {
  const auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace ccm::core
