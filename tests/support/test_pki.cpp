#include "support/test_pki.hpp"

#include <stdlib.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace ccm::testing {
namespace {

const std::string kNewEcKey = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";

}  // namespace

TestPki::TestPki() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ccm-test-pki-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  for (const std::string ca : {"ca", "other-ca"}) {
    run("openssl req -x509" + kNewEcKey + " -keyout " + ca + ".key -out " + ca + ".pem -days 2 -subj /CN=ccm-test-" + ca);
  }
  issue("server", "ca", "serverAuth", "ccm-test-server");
  issue("client", "ca", "clientAuth", "ccm-test-client");
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void TestPki::issue(const std::string& name, const std::string& ca, const std::string& usage,
                    const std::string& common_name) {
  // Loopback names on client certificates too: Poco's strict server checks them against the peer's address.
  std::ofstream(file(name + ".ext")) << "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=" << usage << "\n";
  run("openssl req -new" + kNewEcKey + " -keyout " + name + ".key -out " + name + ".csr -subj /CN=" + common_name);
  run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -set_serial " +
      std::to_string(++serial_) + " -days 2 -extfile " + name + ".ext -out " + name + ".pem");
}

void TestPki::run(const std::string& command) const {
  const std::string log = file("openssl.log");
  const std::string line = "cd '" + dir_.string() + "' && " + command + " >>'" + log + "' 2>&1";
  if (std::system(line.c_str()) != 0) throw std::runtime_error(line + " failed; see " + log);
}

}  // namespace ccm::testing
