#pragma once

#include <string>

#include "ccm/sdk/result.hpp"

namespace ccm::sdk {

struct CollectionRequest {
  std::string session_id;
  std::string cml_lab_id;
  std::string worker_hostname;
};

// Client of the Assessment Platform. Calls block; must not throw; thread-safe.
// Results carry the platform's response body.
class AssessmentClient {
public:
  virtual ~AssessmentClient() = default;
  virtual Result<std::string> triggerCollection(const CollectionRequest& request) = 0;
  virtual Result<std::string> assignPod(const std::string& session_id, const std::string& part_id,
                                        const std::string& pod_json) = 0;
};

}  // namespace ccm::sdk
