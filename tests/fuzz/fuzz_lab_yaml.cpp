// A CML lab topology (YAML) as the pod generator reads it: the smart
// annotations of its nodes, then a Pod built from it with a port allocated
// to each. No input crashes either; a refusal has a message.
#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/smart_annotations.hpp"
#include "ccm/sdk/testing/fake_host.hpp"
#include "fuzz_target.hpp"
#include "pod_generator.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static ccm::sdk::testing::FakeHost host;
  static ccm::plugins::pod_generator::CmlPodGenerator generator(ccm::sdk::PluginContext{"pods", "{}", "", "", host});
  const std::string lab(ccm::fuzz::asText(data, size));
  const auto annotations = ccm::sdk::parseSmartAnnotations(lab);
  if (!annotations) {
    if (annotations.error().message.empty()) ccm::fuzz::propertyFailed("a refusal without a message");
    return 0;
  }
  ccm::sdk::PodRequest request;
  request.session_id = "s-1";
  request.lab_yaml = lab;
  request.worker_private_address = "10.0.0.7";
  request.definition_json = R"({"id":"d-1","name":"lab"})";
  std::uint16_t port = 5000;
  for (const auto& annotation : annotations.value()) {
    request.allocated_ports[annotation.key] = port++;
  }
  const auto pod = generator.generate(request);
  if (!pod && pod.error().message.empty()) ccm::fuzz::propertyFailed("a refusal without a message");
  return 0;
}
