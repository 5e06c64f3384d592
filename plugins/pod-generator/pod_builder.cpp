#include "pod_builder.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

#include "lab_topology.hpp"
#include "pod_schema.hpp"
#include "pod_settings.hpp"

namespace ccm::plugins::pod_generator {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Seed 002 task 4.10: serial: is reached through the console, the others as named.
std::string podProtocolOf(std::string_view annotation_protocol) {
  return annotation_protocol == "serial" ? "console" : std::string(annotation_protocol);
}

void writeMembers(Writer& writer, const JsonMembers& members) {
  writer.StartObject();
  for (const auto& [key, value] : members) {
    writer.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    writer.RawValue(value.data(), value.size(), rapidjson::kObjectType);
  }
  writer.EndObject();
}

std::string hostnameOf(const LabNode& node, const PodSettings& settings, const PodGeneratorConfig& config) {
  if (auto hostname = settings.hostnameOf(node.label)) return *hostname;
  if (config.hostname_from == HostnameSource::Configuration && !node.hostname.empty()) return node.hostname;
  return node.label;
}

}  // namespace

sdk::Result<std::string> buildPod(const sdk::PodRequest& request, const PodGeneratorConfig& config) {
  if (request.session_id.empty()) return sdk::Error{"session_id", "session_id is empty; the Pod id needs it"};
  const std::string& host =
      request.worker_public_address.empty() ? request.worker_private_address : request.worker_public_address;
  if (host.empty()) {
    return sdk::Error{"worker_address",
                      "session " + request.session_id + ": the worker has neither a public nor a private address"};
  }
  auto nodes = parseLab(request.lab_yaml);
  if (!nodes) return nodes.error();
  auto settings = PodSettings::parse(request.definition_json, nodes.value());
  if (!settings) return settings.error();

  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  writer.Key("id");
  writer.String(request.session_id);
  writer.Key("devices");
  writer.StartArray();
  for (const LabNode& node : nodes.value()) {
    if (node.annotations.empty()) continue;
    writer.StartObject();
    writer.Key("label");
    writer.String(node.label);
    writer.Key("hostname");
    writer.String(hostnameOf(node, settings.value(), config));
    writer.Key("collector");
    writer.String(config.collector);
    writer.Key("interfaces");
    writer.StartArray();
    for (const sdk::AnnotationTag& annotation : node.annotations) {
      const std::string key = node.label + "/" + annotation.tag;
      const auto port = request.allocated_ports.find(key);
      if (port == request.allocated_ports.end()) {
        return sdk::Error{"allocated_ports[\"" + key + "\"]",
                          "lab_yaml: " + node.where + ": " + annotation.field + " \"" + annotation.tag +
                              "\" has no allocated port (no key \"" + key + "\" in the session's allocated_ports)"};
      }
      const std::string protocol = podProtocolOf(annotation.protocol);
      const InterfaceSettings interface = settings.value().forInterface(node.label, protocol);
      writer.StartObject();
      writer.Key("name");
      writer.String(annotation.tag);
      writer.Key("protocol");
      writer.String(protocol);
      writer.Key("host");
      writer.String(host);
      writer.Key("port");
      writer.Uint(port->second);
      writer.Key("authentication");
      writeMembers(writer, interface.authentication);
      writer.Key("configuration");
      writeMembers(writer, interface.configuration);
      writer.EndObject();
    }
    writer.EndArray();
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();

  std::string pod(buffer.GetString(), buffer.GetSize());
  if (auto error = validatePod(pod)) return *error;
  return pod;
}

}  // namespace ccm::plugins::pod_generator
