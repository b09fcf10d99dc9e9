#include "client/src/retry.h"

#include <algorithm>
#include <cmath>

namespace mns::internal {

Duration JitteredBackoff(Duration floor, Duration initial, double multiplier,
                         Duration ceiling, int n, Random& random) {
  const double grown =
      std::min<double>(static_cast<double>(ceiling.count()),
                       initial.count() * std::pow(multiplier, std::min(n, 62)));
  return Duration(random.Uniform(
      floor.count(),
      std::max<int64_t>(floor.count(), static_cast<int64_t>(grown))));
}

Duration BackoffDelay(const RetryPolicy& policy, int n, Random& random) {
  return JitteredBackoff(Duration(0), policy.initial_delay, policy.multiplier,
                         policy.max_delay, n, random);
}

StatusOr<HttpReply> WithRetries(const RetryPolicy& policy, bool retryable,
                                Clock& clock, Random& random,
                                const std::function<Attempt()>& attempt) {
  const int attempts = retryable ? std::max(1, policy.max_attempts) : 1;
  for (int n = 0;; ++n) {
    Attempt outcome = attempt();
    if (!outcome.transient || n + 1 >= attempts) return outcome.reply;
    clock.SleepUntil(clock.Now() + BackoffDelay(policy, n, random));
  }
}

}  // namespace mns::internal
