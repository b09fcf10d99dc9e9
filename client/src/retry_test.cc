#include "client/src/retry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace mns::internal {
namespace {

TEST(BackoffTest, FullJitterWithinAnExponentialCeiling) {
  RetryPolicy policy{.initial_delay = Duration(100),
                     .max_delay = Duration(1000)};
  Random random(1);
  for (int n = 0; n < 8; ++n) {
    const int64_t ceiling = std::min<int64_t>(1000, 100 << n);
    int64_t largest = 0;
    for (int i = 0; i < 200; ++i) {
      const int64_t d = BackoffDelay(policy, n, random).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, ceiling);
      largest = std::max(largest, d);
    }
    EXPECT_GT(largest, ceiling / 2) << "jitter should span the range";
  }
}

TEST(WithRetriesTest, WaitsOnTheClockBetweenTransientAttempts) {
  SimulatedClock clock(FromUnixMillis(0));
  Random random(2);
  std::atomic<int> attempts{0};
  RetryPolicy policy{.max_attempts = 3,
                     .initial_delay = Duration(1000),
                     .max_delay = Duration(1000)};
  auto result = std::async(std::launch::async, [&] {
    return WithRetries(policy, true, clock, random, [&]() -> Attempt {
      ++attempts;
      return {Status(StatusCode::kUnavailable, "down"), true};
    });
  });
  // Each backoff ends only when the simulated clock passes it.
  while (result.wait_for(std::chrono::milliseconds(1)) !=
         std::future_status::ready) {
    clock.Advance(Duration(1000));
  }
  EXPECT_EQ(result.get().status().message(), "down");
  EXPECT_EQ(attempts.load(), 3);
}

TEST(WithRetriesTest, NonRetryableCallsTryOnce) {
  SimulatedClock clock(FromUnixMillis(0));
  Random random(3);
  int attempts = 0;
  auto result = WithRetries({}, false, clock, random, [&]() -> Attempt {
    ++attempts;
    return {Status(StatusCode::kUnavailable, "down"), true};
  });
  EXPECT_FALSE(result.ok());
  EXPECT_EQ(attempts, 1);
}

TEST(BackoffTest, AFloorAndASeedMakeTheConsumersBackoff) {
  Random a(7), b(7);
  for (int n = 0; n < 40; ++n) {
    const Duration delay = JitteredBackoff(Duration(200), Duration(200), 2.0,
                                           Duration(30'000), n, a);
    EXPECT_GE(delay, Duration(200)) << n;
    EXPECT_LE(delay, Duration(30'000)) << n;
    // Seeded: the same sequence every time.
    EXPECT_EQ(delay, JitteredBackoff(Duration(200), Duration(200), 2.0,
                                     Duration(30'000), n, b));
  }
  // Past the ceiling's exponent the growth stops, without overflow.
  EXPECT_LE(
      JitteredBackoff(Duration(0), Duration(1), 10.0, Duration(5), 1000, a),
      Duration(5));
}

}  // namespace
}  // namespace mns::internal
