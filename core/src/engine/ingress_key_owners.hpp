#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "store/store.hpp"

namespace ccm::core {

// Which copy of each (source, id) key a group commit applies. The store
// remembers every key of the group at once, before any request runs, and
// flags the first copy; that copy is applied and later ones are duplicates.
// When a request is refused (rolled back), every key it held — those of the
// events it applied and those of the events after the refused one, which it
// never reached — passes to the next copy in the group; a key no copy takes
// is forgotten before the commit, so a corrected retry is not taken for a
// duplicate.
class IngressKeyOwners {
public:
  // `remembered[i]`: the store remembered keys[i] (Transaction::rememberIngress).
  // `keys` must outlive this object.
  IngressKeyOwners(const std::vector<IngressKey>& keys, std::vector<bool> remembered);
  IngressKeyOwners(std::vector<IngressKey>&& keys, std::vector<bool> remembered) = delete;

  // Whether the copy at `position` is applied; false: it is a duplicate.
  bool take(std::size_t position);
  // The request holding positions [first, end) was refused.
  void refuse(std::size_t first, std::size_t end);
  // The keys remembered in this group that no applied copy holds.
  std::vector<IngressKey> unowned() const;

private:
  enum class Copy : std::uint8_t { Unvisited, Applied, Duplicate, Refused };
  bool sameKey(std::size_t a, std::size_t b) const;

  const std::vector<IngressKey>& keys_;
  std::vector<bool> remembered_;
  std::vector<Copy> copies_;
  std::vector<std::size_t> released_;  // refused copies whose key is free again
};

}  // namespace ccm::core
