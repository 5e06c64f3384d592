#include "engine/ingress_key_owners.hpp"

#include <algorithm>
#include <stdexcept>

namespace ccm::core {

IngressKeyOwners::IngressKeyOwners(const std::vector<IngressKey>& keys, std::vector<bool> remembered)
    : keys_(keys), remembered_(std::move(remembered)), copies_(keys.size(), Copy::Unvisited) {
  if (remembered_.size() != keys_.size()) {
    throw std::logic_error("IngressKeyOwners: one remembered flag per key expected");
  }
}

bool IngressKeyOwners::take(std::size_t position) {
  bool applied = remembered_.at(position);
  if (!applied) {
    // Refusals are rare, so this list is nearly always empty.
    const auto free = std::find_if(released_.begin(), released_.end(),
                                   [&](std::size_t released) { return sameKey(released, position); });
    if (free != released_.end()) {
      released_.erase(free);
      applied = true;
    }
  }
  copies_[position] = applied ? Copy::Applied : Copy::Duplicate;
  return applied;
}

void IngressKeyOwners::refuse(std::size_t first, std::size_t end) {
  for (std::size_t position = first; position < end && position < copies_.size(); ++position) {
    const bool held = copies_[position] == Copy::Applied ||
                      (copies_[position] == Copy::Unvisited && remembered_[position]);
    copies_[position] = Copy::Refused;
    if (held) released_.push_back(position);
  }
}

std::vector<IngressKey> IngressKeyOwners::unowned() const {
  std::vector<IngressKey> keys;
  for (const auto position : released_) keys.push_back(keys_[position]);
  return keys;
}

bool IngressKeyOwners::sameKey(std::size_t a, std::size_t b) const {
  return keys_[a].source == keys_[b].source && keys_[a].id == keys_[b].id;
}

}  // namespace ccm::core
