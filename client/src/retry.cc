#include "client/src/retry.h"

#include <algorithm>
#include <cmath>

namespace mns::internal {

Duration BackoffDelay(const RetryPolicy& policy, int n, Random& random) {
  const double ceiling = std::min<double>(
      static_cast<double>(policy.max_delay.count()),
      policy.initial_delay.count() * std::pow(policy.multiplier, n));
  return Duration(random.Uniform(0, static_cast<int64_t>(ceiling)));
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
