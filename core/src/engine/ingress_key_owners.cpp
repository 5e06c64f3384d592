#include "engine/ingress_key_owners.hpp"

#include <algorithm>
#include <stdexcept>

namespace ccm::core {

IngressKeyOwners::IngressKeyOwners(const std::vector<IngressKey>& keys, std::vector<bool> remembered)
    : keys_(keys), remembered_(std::move(remembered)) {
  if (remembered_.size() != keys_.size()) {
    throw std::logic_error("IngressKeyOwners: one remembered flag per key expected");
  }
}

bool IngressKeyOwners::take(std::size_t position) {
  if (remembered_.at(position)) return true;
  // Refusals are rare, so this list is nearly always empty.
  const auto free = std::find_if(released_.begin(), released_.end(),
                                 [&](std::size_t released) { return sameKey(released, position); });
  if (free == released_.end()) return false;
  released_.erase(free);
  return true;
}

void IngressKeyOwners::refuse(const std::vector<std::size_t>& positions) {
  released_.insert(released_.end(), positions.begin(), positions.end());
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
