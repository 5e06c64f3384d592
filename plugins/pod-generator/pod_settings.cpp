#include "pod_settings.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <array>
#include <string_view>

namespace ccm::plugins::pod_generator {
namespace {

using rapidjson::Value;

// The Pod's protocol names; serial: annotations are "console" in the Pod.
constexpr std::array<std::string_view, 4> kPodProtocols{"console", "vnc", "ssh", "telnet"};
constexpr std::string_view kTopLevelKeys = "\"console\", \"vnc\", \"ssh\", \"telnet\" or \"nodes\"";
constexpr std::string_view kProtocolKeys = "\"authentication\" or \"configuration\"";
constexpr std::string_view kNodeKeys =
    "\"hostname\", \"authentication\", \"configuration\", \"console\", \"vnc\", \"ssh\" or \"telnet\"";

std::string_view text(const Value& value) {
  return {value.GetString(), value.GetStringLength()};
}

bool isPodProtocol(std::string_view name) {
  return std::ranges::find(kPodProtocols, name) != kPodProtocols.end();
}

sdk::Error invalid(const std::string& path, const std::string& problem) {
  return sdk::Error{path, "definition " + path + ": " + problem};
}

sdk::Error unknownKey(const std::string& path, std::string_view key, std::string_view expected) {
  std::string message = "is not a known key (expected " + std::string(expected) + ")";
  if (key == "serial") message += "; serial: annotations have the Pod protocol \"console\"";
  return invalid(path, message);
}

std::string jsonText(const Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return {buffer.GetString(), buffer.GetSize()};
}

// Later layers replace a key's value in place and append new keys.
void mergeInto(JsonMembers& target, const JsonMembers& layer) {
  for (const auto& [key, value] : layer) {
    auto it = std::ranges::find(target, key, &JsonMembers::value_type::first);
    if (it == target.end()) {
      target.emplace_back(key, value);
    } else {
      it->second = value;
    }
  }
}

std::optional<sdk::Error> readMembers(const Value& value, const std::string& path, JsonMembers& out) {
  if (!value.IsObject()) return invalid(path, "must be an object");
  JsonMembers members;
  for (const auto& member : value.GetObject()) members.emplace_back(text(member.name), jsonText(member.value));
  mergeInto(out, members);  // a key given twice keeps its last value, as JSON parsers usually do
  return std::nullopt;
}

// Reads "authentication" or "configuration"; false if `key` is neither.
bool readSetting(std::string_view key, const Value& value, const std::string& path, InterfaceSettings& layer,
                 std::optional<sdk::Error>& error) {
  if (key == "authentication") {
    error = readMembers(value, path, layer.authentication);
  } else if (key == "configuration") {
    error = readMembers(value, path, layer.configuration);
  } else {
    return false;
  }
  return true;
}

std::optional<sdk::Error> readProtocol(const Value& value, const std::string& path, InterfaceSettings& layer) {
  if (!value.IsObject()) return invalid(path, "must be an object with " + std::string(kProtocolKeys));
  for (const auto& member : value.GetObject()) {
    const std::string key(text(member.name));
    std::optional<sdk::Error> error;
    if (!readSetting(key, member.value, path + "." + key, layer, error)) {
      return unknownKey(path + "." + key, key, kProtocolKeys);
    }
    if (error) return error;
  }
  return std::nullopt;
}

}  // namespace

sdk::Result<PodSettings> PodSettings::parse(const std::string& definition_json, const std::vector<LabNode>& nodes) {
  PodSettings settings;
  if (definition_json.empty()) return settings;
  rapidjson::Document document;
  document.Parse(definition_json.data(), definition_json.size());
  if (document.HasParseError()) {
    return sdk::Error{"definition", "definition is not valid JSON at offset " +
                                        std::to_string(document.GetErrorOffset()) + ": " +
                                        rapidjson::GetParseError_En(document.GetParseError())};
  }
  if (!document.IsObject()) return sdk::Error{"definition", "definition must be a JSON object"};
  const auto root = document.FindMember("pod_settings");
  if (root == document.MemberEnd() || root->value.IsNull()) return settings;
  if (!root->value.IsObject()) return invalid("pod_settings", "must be an object");

  for (const auto& member : root->value.GetObject()) {
    const std::string key(text(member.name));
    const std::string path = "pod_settings." + key;
    if (isPodProtocol(key)) {
      if (auto error = readProtocol(member.value, path, settings.protocols_[key])) return *error;
    } else if (key == "nodes") {
      if (!member.value.IsObject()) return invalid(path, "must be an object of node labels to node settings");
      for (const auto& node : member.value.GetObject()) {
        const std::string label(text(node.name));
        const std::string node_path = path + "." + label;
        if (std::ranges::find(nodes, label, &LabNode::label) == nodes.end()) {
          return invalid(node_path, "the lab has no node labelled \"" + label + "\"");
        }
        if (!node.value.IsObject()) return invalid(node_path, "must be an object with " + std::string(kNodeKeys));
        NodeSettings& node_settings = settings.nodes_[label];
        for (const auto& field : node.value.GetObject()) {
          const std::string name(text(field.name));
          const std::string field_path = node_path + "." + name;
          std::optional<sdk::Error> error;
          if (name == "hostname") {
            if (!field.value.IsString() || field.value.GetStringLength() == 0) {
              return invalid(field_path, "must be a non-empty string");
            }
            node_settings.hostname = std::string(text(field.value));
          } else if (isPodProtocol(name)) {
            error = readProtocol(field.value, field_path, node_settings.protocols[name]);
          } else if (!readSetting(name, field.value, field_path, node_settings.all, error)) {
            return unknownKey(field_path, name, kNodeKeys);
          }
          if (error) return *error;
        }
      }
    } else {
      return unknownKey(path, key, kTopLevelKeys);
    }
  }
  return settings;
}

InterfaceSettings PodSettings::forInterface(const std::string& label, const std::string& pod_protocol) const {
  InterfaceSettings merged;
  auto apply = [&merged](const InterfaceSettings& layer) {
    mergeInto(merged.authentication, layer.authentication);
    mergeInto(merged.configuration, layer.configuration);
  };
  if (auto it = protocols_.find(pod_protocol); it != protocols_.end()) apply(it->second);
  if (auto node = nodes_.find(label); node != nodes_.end()) {
    apply(node->second.all);
    if (auto it = node->second.protocols.find(pod_protocol); it != node->second.protocols.end()) apply(it->second);
  }
  return merged;
}

std::optional<std::string> PodSettings::hostnameOf(const std::string& label) const {
  auto node = nodes_.find(label);
  return node == nodes_.end() ? std::nullopt : node->second.hostname;
}

}  // namespace ccm::plugins::pod_generator
