#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "store/store.hpp"

namespace ccm::core {

// Which copy of each (source, id) key a group commit applies. The store
// remembers every key of the group at once and flags the first copy; that
// copy is applied and later ones are duplicates. When the request holding the
// applied copy is refused (rolled back), the key passes to the next copy in
// the group, and a key no copy takes is forgotten before the commit, so that
// a corrected retry is not taken for a duplicate.
class IngressKeyOwners {
public:
  // `remembered[i]`: the store remembered keys[i] (Transaction::rememberIngress).
  IngressKeyOwners(const std::vector<IngressKey>& keys, std::vector<bool> remembered);

  // Whether the copy at `position` is applied; false: it is a duplicate.
  bool take(std::size_t position);
  // The request that took these positions was refused.
  void refuse(const std::vector<std::size_t>& positions);
  // The keys remembered in this group that no applied copy holds.
  std::vector<IngressKey> unowned() const;

private:
  bool sameKey(std::size_t a, std::size_t b) const;

  const std::vector<IngressKey>& keys_;
  std::vector<bool> remembered_;
  std::vector<std::size_t> released_;  // positions of refused copies whose key is free again
};

}  // namespace ccm::core
