// Polling for a condition in tests and the conformance suite, instead of
// sleeping for a guessed time. Header-only.
#ifndef MNS_CLIENT_COMMON_TESTING_EVENTUALLY_H_
#define MNS_CLIENT_COMMON_TESTING_EVENTUALLY_H_

#include <chrono>
#include <functional>
#include <thread>

#include "mns/common/clock.h"

namespace mns::testutil {

// Calls `attempt` until it returns true (true) or `limit` of real time has
// passed (false), sleeping `every` between calls.
inline bool Eventually(const std::function<bool()>& attempt, Duration limit,
                       Duration every = Duration(200)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (attempt()) return true;
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(every);
  }
}

}  // namespace mns::testutil

#endif  // MNS_CLIENT_COMMON_TESTING_EVENTUALLY_H_
