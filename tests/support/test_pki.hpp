#pragma once

#include <filesystem>
#include <string>

namespace ccm::testing {

// Test certificates made with the openssl CLI (EC P-256, valid two days) in
// a temporary folder that goes with the object: two CAs ("ca", "other-ca"),
// a server certificate for 127.0.0.1 and localhost ("server") and a client
// certificate ("client", subject CN=ccm-test-client), both issued by "ca".
// Each NAME has NAME.pem and NAME.key. Throws std::runtime_error naming the
// command and its log when openssl fails.
class TestPki {
public:
  TestPki();
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  // Issues NAME.pem and NAME.key by `ca` for `common_name` and the loopback
  // names; `usage` is "serverAuth" or "clientAuth".
  void issue(const std::string& name, const std::string& ca, const std::string& usage, const std::string& common_name);

private:
  void run(const std::string& command) const;

  std::filesystem::path dir_;
  int serial_ = 1;
};

}  // namespace ccm::testing
