#pragma once

#include <fstream>
#include <mutex>
#include <string>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"

namespace example {

// Appends one line per event to a file: time, type, subject, id and source,
// separated by tabs ("-" for an absent attribute). A teaching example: it
// shows the descriptor, config, outcomes, metrics and logging, not durability
// (see the gateway's "file" sink for fsync and rotation).
class SummarySink final : public ccm::sdk::Sink {
public:
  // Reads the instance's config (already validated against schema.json by the
  // gateway) and opens the file. Throws std::invalid_argument naming the
  // setting it cannot use; sdk::construct turns that into the factory's error.
  explicit SummarySink(const ccm::sdk::PluginContext& context);

  // Thread-safe: the gateway may call it concurrently. Never throws.
  std::vector<ccm::sdk::Outcome> deliver(const std::vector<ccm::sdk::CloudEvent>& batch) override;

private:
  ccm::sdk::Host& host_;  // outlives this object
  std::string path_;
  std::mutex mutex_;
  std::ofstream out_;
};

// The one string member `key` of a flat JSON object whose members are all
// strings, e.g. {"path":"/var/lib/x.log"}. Throws std::invalid_argument.
// Enough for this sink's config; a plugin with a richer config should use a
// JSON library (linked PRIVATE: the plugin's symbols stay hidden).
std::string stringMember(const std::string& json_object, const std::string& key);

}  // namespace example
