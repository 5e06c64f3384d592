#include "ccm/sdk/secret.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace ccm::sdk {

Result<std::string> readSecretReference(std::string_view reference) {
  const std::string ref(reference);
  if (ref.starts_with("env:")) {
    const char* value = std::getenv(ref.c_str() + 4);
    if (value == nullptr) return Error{ref, "secret \"" + ref + "\": environment variable " + ref.substr(4) + " is not set"};
    return std::string(value);
  }
  if (ref.starts_with("file:")) {
    std::ifstream in(ref.substr(5), std::ios::binary);
    if (!in) return Error{ref, "secret \"" + ref + "\": file " + ref.substr(5) + " cannot be read"};
    std::stringstream content;
    content << in.rdbuf();
    std::string value = content.str();
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }
  return Error{ref, "secret \"" + ref + "\": expected \"env:NAME\" or \"file:/path\""};
}

}  // namespace ccm::sdk
