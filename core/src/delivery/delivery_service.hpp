#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "ccm/sdk/sink.hpp"
#include "delivery/dispatcher.hpp"

namespace ccm::core {

// A configured sink ready to run: its instance and delivery policy.
// `fingerprint` identifies the configuration; equal fingerprints mean
// nothing changed on reload.
struct SinkSpec {
  std::string name;
  std::string plugin;
  std::string fingerprint;
  std::shared_ptr<sdk::Sink> sink;
  DeliverySettings settings;
};

// The set of running dispatchers, one per configured sink. Thread-safe.
class DeliveryService {
public:
  struct Change {
    std::vector<std::string> added;
    std::vector<std::string> removed;
    std::vector<std::string> replaced;
    std::vector<std::string> kept;
  };

  DeliveryService(Store& store, MetricsRegistry& metrics, std::string replica_id,
                  std::chrono::milliseconds shutdown_deadline,
                  std::chrono::milliseconds sink_lease = std::chrono::milliseconds(4000), AutoPause auto_pause = {});
  ~DeliveryService();

  // Makes `specs` the running set. Unchanged sinks (same name and fingerprint)
  // keep running untouched; removed and replaced ones stop after their
  // in-flight batches; new and replaced ones resume from their stored cursor,
  // so nothing queued is lost or sent again. Specs whose `sink` is null must
  // be unchanged ones.
  Change apply(std::vector<SinkSpec> specs);
  // The fingerprint of each running sink, so callers build only what changed.
  std::map<std::string, std::string> fingerprints() const;
  void wakeAll();
  // `name` was paused or resumed in the store (`pause` is now in force);
  // false when no such sink runs.
  bool pauseChanged(const std::string& name, const std::optional<SinkPause>& pause);
  // A redrive of `name` was started or cancelled in the store; false when no
  // such sink runs.
  bool redriveChanged(const std::string& name);
  bool has(const std::string& name) const;
  std::vector<SinkStatus> status() const;
  void stopAll();

private:
  struct Running {
    std::string fingerprint;
    std::unique_ptr<Dispatcher> dispatcher;
    std::shared_ptr<sdk::Sink> sink;  // destroyed after its dispatcher stopped
  };

  Store& store_;
  MetricsRegistry& metrics_;
  const std::string replica_id_;
  const std::chrono::milliseconds shutdown_deadline_;
  const std::chrono::milliseconds sink_lease_;
  const AutoPause auto_pause_;
  // Exclusive while the running set changes (apply, stopAll), which joins
  // dispatcher threads; a dispatcher's own commit (an automatic pause) wakes
  // the others under a shared lock, so it must not wait for that.
  mutable std::shared_mutex mutex_;
  std::map<std::string, Running> running_;
};

}  // namespace ccm::core
