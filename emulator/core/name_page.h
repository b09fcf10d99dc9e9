// PageByName: one page of a name-ordered map, as ListQueue, ListTopic and
// ListSubscriptionByTopic page (spec mns §3.6, topic §2.5, §3.5): names
// starting with a prefix, from a marker on, at most `limit`, and a
// NextMarker only when more remain. A marker is the base64 of the first name
// of the next page, as the cloud's own markers look (spec mns §3.6:
// NextMarker "cTE=" is base64 "q1"). Pure function.
#ifndef MNS_EMULATOR_CORE_NAME_PAGE_H_
#define MNS_EMULATOR_CORE_NAME_PAGE_H_

#include <algorithm>
#include <string>
#include <vector>

#include "emulator/core/errors.h"
#include "mns/common/crypto.h"
#include "mns/common/status.h"

namespace mns::emulator {

template <typename Value>
struct NamePage {
  std::vector<const Value*> items;
  std::string next_marker;  // empty on the last page
};

// `get` turns a map entry's mapped value into the item pointer.
template <typename Map, typename Get>
auto PageByName(const Map& by_name, const std::string& prefix,
                const std::string& marker, int limit, Get get)
    -> StatusOr<NamePage<
        std::remove_cvref_t<decltype(*get(by_name.begin()->second))>>> {
  using Value = std::remove_cvref_t<decltype(*get(by_name.begin()->second))>;
  if (limit < 1 || limit > 1000) {
    return OutOfRangeError("x-mns-ret-number", 1, 1000, "items");
  }
  std::string start = prefix;
  if (!marker.empty()) {
    auto decoded = Base64Decode(marker);
    if (!decoded) {
      return InvalidArgumentError("The marker you provided is not valid.");
    }
    start = std::max(start, *decoded);
  }
  NamePage<Value> page;
  for (auto it = by_name.lower_bound(start);
       it != by_name.end() && it->first.starts_with(prefix); ++it) {
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_marker = Base64Encode(it->first);
      break;
    }
    page.items.push_back(get(it->second));
  }
  return page;
}

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_NAME_PAGE_H_
