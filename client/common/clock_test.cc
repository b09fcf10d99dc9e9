#include "mns/common/clock.h"

#include <gtest/gtest.h>

#include <thread>

namespace mns {
namespace {

const TimePoint kStart = FromUnixMillis(1'700'000'000'000);

TEST(SimulatedClockTest, FrozenClockMovesOnlyWhenAdvanced) {
  SimulatedClock clock(kStart);
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(Duration(1500));
  EXPECT_EQ(clock.Now(), kStart + Duration(1500));
  clock.Advance(Duration(-10));  // never backward
  EXPECT_EQ(clock.Now(), kStart + Duration(1500));
}

TEST(SaturatingAddTest, HoldsWithinTheEpochAndTheLatestTime) {
  EXPECT_EQ(SaturatingAdd(kStart, Duration(5)), kStart + Duration(5));
  EXPECT_EQ(SaturatingAdd(kStart, Duration(-5)), kStart - Duration(5));
  EXPECT_EQ(SaturatingAdd(kStart, Duration::max()), kLatestTime);
  EXPECT_EQ(SaturatingAdd(kLatestTime, Duration(1)), kLatestTime);
  EXPECT_EQ(SaturatingAdd(kStart, Duration::min()), TimePoint{});
  EXPECT_EQ(SaturatingAdd(TimePoint::max(), Duration(1)), kLatestTime);
}

TEST(SimulatedClockTest, AdvanceStopsAtTheLatestTimeInEitherState) {
  SimulatedClock frozen(kStart);
  frozen.Advance(Duration::max());
  EXPECT_EQ(frozen.Now(), kLatestTime);
  frozen.Advance(Duration::max());  // again: still there, not negative
  EXPECT_EQ(frozen.Now(), kLatestTime);

  SimulatedClock running(kStart);
  running.Resume();
  running.Advance(Duration::max());
  EXPECT_LE(running.Now(), kLatestTime);
  EXPECT_GT(running.Now(), kLatestTime - Duration(60'000));
  running.Advance(Duration::max());
  EXPECT_LE(running.Now(), kLatestTime);
}

TEST(SimulatedClockTest, WaitingForTheFarFutureNeitherOverflowsNorSpins) {
  // A running clock at the end of time, waiting for a deadline past it:
  // the wait must block (not return at once, over and over) until notified.
  SimulatedClock clock(kStart);
  clock.Resume();
  clock.Advance(Duration::max());
  std::mutex mutex;
  std::condition_variable cv;
  bool woken = false;
  int waits = 0;
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (!woken) {
      ++waits;
      clock.WaitUntil(lock, cv, TimePoint::max());
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  {
    std::lock_guard<std::mutex> lock(mutex);
    woken = true;
    cv.notify_all();
  }
  waiter.join();
  EXPECT_LE(waits, 3);  // a spinning wait would count thousands

  SystemClock system;
  std::unique_lock<std::mutex> lock(mutex);
  woken = false;
  std::thread notifier([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::lock_guard<std::mutex> notify_lock(mutex);
    woken = true;
    cv.notify_all();
  });
  waits = 0;
  while (!woken) {
    ++waits;
    system.WaitUntil(lock, cv, TimePoint::max());
  }
  lock.unlock();
  notifier.join();
  EXPECT_LE(waits, 3);
}

TEST(SimulatedClockTest, ResumeContinuesFromTheFrozenInstant) {
  SimulatedClock clock(kStart);
  clock.Resume();
  EXPECT_FALSE(clock.frozen());
  EXPECT_GE(clock.Now(), kStart);
  EXPECT_LT(clock.Now(), kStart + Duration(60'000));
  clock.Freeze();
  TimePoint frozen_at = clock.Now();
  EXPECT_EQ(clock.Now(), frozen_at);
}

TEST(SimulatedClockTest, AdvanceWakesAWaiterThroughItsListener) {
  SimulatedClock clock(kStart);
  std::mutex mutex;
  std::condition_variable cv;
  auto subscription = clock.OnTimeJump([&] {
    std::lock_guard<std::mutex> lock(mutex);
    cv.notify_all();
  });
  const TimePoint deadline = kStart + Duration(30'000);
  std::thread waiter([&] {
    std::unique_lock<std::mutex> lock(mutex);
    while (clock.Now() < deadline) clock.WaitUntil(lock, cv, deadline);
  });
  clock.Advance(Duration(10'000));
  clock.Advance(Duration(20'000));
  waiter.join();  // returns only if the last advance woke it
  EXPECT_EQ(clock.Now(), deadline);
}

TEST(SimulatedClockTest, SleepUntilEndsWhenTheClockIsAdvanced) {
  SimulatedClock clock(kStart);
  std::thread sleeper([&] { clock.SleepUntil(kStart + Duration(5000)); });
  clock.Advance(Duration(5000));
  sleeper.join();  // returns only because the advance woke it
  EXPECT_EQ(clock.Now(), kStart + Duration(5000));
}

TEST(SimulatedClockTest, DroppedSubscriptionIsNotCalled) {
  SimulatedClock clock(kStart);
  int calls = 0;
  {
    auto subscription = clock.OnTimeJump([&] { ++calls; });
    clock.Advance(Duration(1));
  }
  clock.Advance(Duration(1));
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace mns
