#pragma once

#include <string>
#include <vector>

#include <Poco/Util/ServerApplication.h>

namespace ccm::core {

// The ccm-gateway executable: options, start-up, and waiting for SIGTERM/SIGINT.
class GatewayApplication : public Poco::Util::ServerApplication {
protected:
  void initialize(Poco::Util::Application& self) override;
  void defineOptions(Poco::Util::OptionSet& options) override;
  int main(const std::vector<std::string>& args) override;

private:
  void handleHelp(const std::string& name, const std::string& value);
  void handleConfig(const std::string& name, const std::string& value);
  void handlePluginDir(const std::string& name, const std::string& value);
  void handleMode(const std::string& name, const std::string& value);

  int checkConfig();
  int listPlugins();
  int serve();

  std::string config_file_;
  bool config_given_ = false;
  std::vector<std::string> extra_plugin_dirs_;
  std::string mode_ = "run";
};

}  // namespace ccm::core
