#include "delivery/delivery_service.hpp"

#include <set>

namespace ccm::core {

DeliveryService::DeliveryService(Store& store, MetricsRegistry& metrics, std::string replica_id,
                                 std::chrono::milliseconds shutdown_deadline, std::chrono::milliseconds sink_lease,
                                 AutoPause auto_pause)
    : store_(store),
      metrics_(metrics),
      replica_id_(std::move(replica_id)),
      shutdown_deadline_(shutdown_deadline),
      sink_lease_(sink_lease),
      auto_pause_(std::move(auto_pause)) {}

DeliveryService::~DeliveryService() { stopAll(); }

DeliveryService::Change DeliveryService::apply(std::vector<SinkSpec> specs) {
  std::unique_lock lock(mutex_);
  Change change;
  std::set<std::string> wanted;
  for (const auto& spec : specs) wanted.insert(spec.name);
  for (auto it = running_.begin(); it != running_.end();) {
    if (wanted.count(it->first) == 0) {
      it->second.dispatcher->stop(shutdown_deadline_);
      change.removed.push_back(it->first);
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto& spec : specs) {
    auto existing = running_.find(spec.name);
    if (existing != running_.end() && existing->second.fingerprint == spec.fingerprint) {
      change.kept.push_back(spec.name);
      continue;
    }
    if (existing != running_.end()) {
      // Stop first: the new dispatcher must resume from what the old one stored.
      existing->second.dispatcher->stop(shutdown_deadline_);
      running_.erase(existing);
      change.replaced.push_back(spec.name);
    } else {
      change.added.push_back(spec.name);
    }
    Running running;
    running.fingerprint = spec.fingerprint;
    running.sink = spec.sink;
    running.dispatcher = std::make_unique<Dispatcher>(spec.name, spec.plugin, spec.sink, spec.settings, store_,
                                                      metrics_, replica_id_, sink_lease_, auto_pause_);
    running.dispatcher->start();
    running_.emplace(spec.name, std::move(running));
  }
  return change;
}

std::map<std::string, std::string> DeliveryService::fingerprints() const {
  std::shared_lock lock(mutex_);
  std::map<std::string, std::string> out;
  for (const auto& [name, running] : running_) out[name] = running.fingerprint;
  return out;
}

void DeliveryService::wakeAll() {
  // While the set changes, new dispatchers read the log anyway and stopping
  // ones need no wake; waiting here could deadlock (mutex_).
  std::shared_lock lock(mutex_, std::try_to_lock);
  if (!lock) return;
  for (auto& [name, running] : running_) running.dispatcher->wake();
}

bool DeliveryService::pauseChanged(const std::string& name, const std::optional<SinkPause>& pause) {
  std::shared_lock lock(mutex_);
  const auto it = running_.find(name);
  if (it == running_.end()) return false;
  it->second.dispatcher->pauseChanged(pause);
  return true;
}

bool DeliveryService::redriveChanged(const std::string& name) {
  std::shared_lock lock(mutex_);
  const auto it = running_.find(name);
  if (it == running_.end()) return false;
  it->second.dispatcher->redriveChanged();
  return true;
}

bool DeliveryService::has(const std::string& name) const {
  std::shared_lock lock(mutex_);
  return running_.count(name) != 0;
}

std::vector<SinkStatus> DeliveryService::status() const {
  std::shared_lock lock(mutex_);
  std::vector<SinkStatus> out;
  for (const auto& [name, running] : running_) out.push_back(running.dispatcher->status());
  return out;
}

void DeliveryService::stopAll() {
  std::unique_lock lock(mutex_);
  for (auto& [name, running] : running_) running.dispatcher->stop(shutdown_deadline_);
  running_.clear();
}

}  // namespace ccm::core
