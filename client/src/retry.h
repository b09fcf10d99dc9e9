// The retry loop both clients share: exponential backoff with full jitter,
// waiting on the client's Clock. Thread-safe given a thread-safe Random.
#ifndef MNS_CLIENT_SRC_RETRY_H_
#define MNS_CLIENT_SRC_RETRY_H_

#include <functional>

#include "client/src/transport.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"
#include "mns/options.h"

namespace mns::internal {

// One try's outcome: the reply (or transport error) and whether another try
// could help (a transport error, a 5xx, throttling).
struct Attempt {
  StatusOr<HttpReply> reply;
  bool transient = false;
};

// The one backoff of the client, with full jitter: a uniform delay in
// [floor, max(floor, min(ceiling, initial * multiplier^n))].
Duration JitteredBackoff(Duration floor, Duration initial, double multiplier,
                         Duration ceiling, int n, Random& random);

// The retry loop's delay after try `n`: JitteredBackoff from 0.
Duration BackoffDelay(const RetryPolicy& policy, int n, Random& random);

// Runs `attempt` up to policy.max_attempts times while it is transient and
// `retryable`, sleeping BackoffDelay() on `clock` in between. Returns the
// last outcome.
StatusOr<HttpReply> WithRetries(const RetryPolicy& policy, bool retryable,
                                Clock& clock, Random& random,
                                const std::function<Attempt()>& attempt);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_RETRY_H_
