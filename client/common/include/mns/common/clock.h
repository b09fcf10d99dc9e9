// Clock: the one source of time and of timed waiting.
//
// Everything that waits (long polls, receipt delays, token expiry) asks a
// Clock for Now() and waits through Clock::WaitUntil, so a SimulatedClock can
// drive it all in tests and through the emulator's control API. Wall-clock
// reads happen only in clock.cc. Clocks are thread-safe.
#ifndef MNS_COMMON_CLOCK_H_
#define MNS_COMMON_CLOCK_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>

namespace mns {

using Duration = std::chrono::milliseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock,
                                          std::chrono::milliseconds>;

inline int64_t ToUnixMillis(TimePoint t) {
  return t.time_since_epoch().count();
}
inline int64_t ToUnixSeconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
      .count();
}
inline TimePoint FromUnixMillis(int64_t ms) { return TimePoint(Duration(ms)); }

// The last instant a clock here reaches: every date the emulator and the
// client print has four year digits. SimulatedClock stops here.
inline constexpr TimePoint kLatestTime{Duration(253'402'300'799'999)};

// `t + d`, held within [epoch, kLatestTime] instead of overflowing.
TimePoint SaturatingAdd(TimePoint t, Duration d);

class Clock {
 public:
  virtual ~Clock() = default;

  virtual TimePoint Now() const = 0;

  // Blocks on `cv`, releasing `lock`, until it is notified or until Now()
  // reaches `deadline`. May return spuriously: callers re-check their
  // condition and Now() in a loop.
  virtual void WaitUntil(std::unique_lock<std::mutex>& lock,
                         std::condition_variable& cv, TimePoint deadline) = 0;

  // Blocks the calling thread until Now() reaches `deadline`: a backoff or a
  // poll interval that a SimulatedClock's Advance() ends at once.
  void SleepUntil(TimePoint deadline);

  // Registers `callback` to run after every jump of this clock's time (an
  // advance, a freeze or a resume of a SimulatedClock). Waiters use it to
  // re-check deadlines; it runs with no clock lock held. The registration
  // lasts as long as the returned handle.
  class Subscription;
  [[nodiscard]] virtual Subscription OnTimeJump(std::function<void()> callback);

 protected:
  void NotifyTimeJump();

 private:
  std::mutex listeners_mutex_;
  std::list<std::function<void()>> listeners_;
};

class Clock::Subscription {
 public:
  Subscription() = default;
  Subscription(Clock* clock, std::list<std::function<void()>>::iterator it)
      : clock_(clock), it_(it) {}
  Subscription(Subscription&& other) noexcept { *this = std::move(other); }
  Subscription& operator=(Subscription&& other) noexcept;
  ~Subscription() { Reset(); }
  void Reset();

 private:
  Clock* clock_ = nullptr;
  std::list<std::function<void()>>::iterator it_;
};

// Real time.
class SystemClock : public Clock {
 public:
  TimePoint Now() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock,
                 std::condition_variable& cv, TimePoint deadline) override;
};

// Time that tests and operators control. It either runs (real time plus an
// offset) or is frozen at one instant; Advance() moves it forward in either
// state. Time never goes backward, so a queue model fed by it sees a
// monotonic `now`.
class SimulatedClock : public Clock {
 public:
  // A clock frozen at `start`.
  explicit SimulatedClock(TimePoint start);
  // A clock that runs with real time, starting at the real time.
  static std::unique_ptr<SimulatedClock> Running();

  TimePoint Now() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock,
                 std::condition_variable& cv, TimePoint deadline) override;

  // Moves time forward by `by` (nothing if it is not positive), stopping at
  // kLatestTime.
  void Advance(Duration by);
  // Stops time at the current instant.
  void Freeze();
  // Lets time run again from the current instant.
  void Resume();
  bool frozen() const;

 private:
  SimulatedClock() = default;
  TimePoint NowLocked() const;

  mutable std::mutex mutex_;
  bool frozen_ = true;
  TimePoint frozen_at_;
  // While running: Now() = real time + offset_.
  Duration offset_{0};
};

}  // namespace mns

#endif  // MNS_COMMON_CLOCK_H_
