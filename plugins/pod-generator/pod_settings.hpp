#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ccm/sdk/result.hpp"
#include "lab_topology.hpp"

// The definition's pod_settings: what the grading engine's collector needs to
// log in to each interface (authentication) and how to treat it
// (configuration), given per Pod protocol and overridden per node. See
// docs/plugins/pod-generator.md for the shape.
namespace ccm::plugins::pod_generator {

// A JSON object as (key, JSON text of the value) pairs, in first-seen order.
using JsonMembers = std::vector<std::pair<std::string, std::string>>;

struct InterfaceSettings {
  JsonMembers authentication;
  JsonMembers configuration;
};

class PodSettings {
public:
  // Reads the "pod_settings" member of the definition (a JSON object; empty
  // text, an absent member or null mean no settings). Errors name the path,
  // e.g. "pod_settings.nodes.r1.console.authentication"; a node entry whose
  // label is not in `nodes` is refused, so a typo does not pass silently.
  static sdk::Result<PodSettings> parse(const std::string& definition_json, const std::vector<LabNode>& nodes);

  // pod_settings.<protocol>, then nodes.<label>, then nodes.<label>.<protocol>,
  // merged key by key: the more specific value wins.
  InterfaceSettings forInterface(const std::string& label, const std::string& pod_protocol) const;
  // nodes.<label>.hostname, if set.
  std::optional<std::string> hostnameOf(const std::string& label) const;

private:
  struct NodeSettings {
    std::optional<std::string> hostname;
    InterfaceSettings all;
    std::map<std::string, InterfaceSettings> protocols;
  };

  std::map<std::string, InterfaceSettings> protocols_;
  std::map<std::string, NodeSettings> nodes_;
};

}  // namespace ccm::plugins::pod_generator
