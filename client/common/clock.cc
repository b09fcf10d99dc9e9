#include "mns/common/clock.h"

#include <memory>

namespace mns {
namespace {

// The only wall-clock read in the project.
TimePoint RealNow() {
  return std::chrono::time_point_cast<Duration>(
      std::chrono::system_clock::now());
}

}  // namespace

Clock::Subscription Clock::OnTimeJump(std::function<void()> callback) {
  std::lock_guard<std::mutex> lock(listeners_mutex_);
  listeners_.push_back(std::move(callback));
  return Subscription(this, std::prev(listeners_.end()));
}

void Clock::SleepUntil(TimePoint deadline) {
  std::mutex mutex;
  std::condition_variable cv;
  // A frozen clock's time moves only by jumps, which this wakes on.
  Subscription jumps = OnTimeJump([&] {
    std::lock_guard<std::mutex> lock(mutex);
    cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(mutex);
  while (Now() < deadline) WaitUntil(lock, cv, deadline);
}

void Clock::NotifyTimeJump() {
  // Listeners are few and long-lived (one per service); holding the lock
  // while calling them keeps a Subscription from being destroyed mid-call.
  std::lock_guard<std::mutex> lock(listeners_mutex_);
  for (auto& listener : listeners_) listener();
}

Clock::Subscription& Clock::Subscription::operator=(
    Subscription&& other) noexcept {
  if (this != &other) {
    Reset();
    clock_ = other.clock_;
    it_ = other.it_;
    other.clock_ = nullptr;
  }
  return *this;
}

void Clock::Subscription::Reset() {
  if (clock_ == nullptr) return;
  std::lock_guard<std::mutex> lock(clock_->listeners_mutex_);
  clock_->listeners_.erase(it_);
  clock_ = nullptr;
}

TimePoint SaturatingAdd(TimePoint t, Duration d) {
  const int64_t ms = ToUnixMillis(t);
  const int64_t latest = ToUnixMillis(kLatestTime);
  if (d.count() >= 0) {
    return ms >= latest || d.count() > latest - ms ? kLatestTime : t + d;
  }
  return d.count() < -ms ? TimePoint{} : t + d;
}

namespace {

// condition_variable converts a deadline to nanoseconds, which overflow in
// 2262; a wait for a later real instant waits a day instead, and the caller,
// which always re-checks its condition, waits again.
TimePoint WaitableDeadline(TimePoint real_deadline) {
  return std::min(real_deadline, RealNow() + std::chrono::hours(24));
}

}  // namespace

TimePoint SystemClock::Now() const { return RealNow(); }

void SystemClock::WaitUntil(std::unique_lock<std::mutex>& lock,
                            std::condition_variable& cv, TimePoint deadline) {
  cv.wait_until(lock, WaitableDeadline(deadline));
}

SimulatedClock::SimulatedClock(TimePoint start) : frozen_at_(start) {}

std::unique_ptr<SimulatedClock> SimulatedClock::Running() {
  std::unique_ptr<SimulatedClock> clock(new SimulatedClock());
  clock->frozen_ = false;
  return clock;
}

TimePoint SimulatedClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return NowLocked();
}

TimePoint SimulatedClock::NowLocked() const {
  return frozen_ ? frozen_at_ : RealNow() + offset_;
}

void SimulatedClock::WaitUntil(std::unique_lock<std::mutex>& lock,
                               std::condition_variable& cv,
                               TimePoint deadline) {
  bool frozen;
  Duration offset;
  {
    std::lock_guard<std::mutex> clock_lock(mutex_);
    frozen = frozen_;
    offset = offset_;
  }
  // A frozen clock's deadline arrives only through Advance(), which notifies
  // every listener; the caller's listener wakes `cv`.
  if (frozen) {
    cv.wait(lock);
  } else {
    cv.wait_until(lock, WaitableDeadline(SaturatingAdd(deadline, -offset)));
  }
}

void SimulatedClock::Advance(Duration by) {
  if (by <= Duration::zero()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (frozen_) {
      frozen_at_ = SaturatingAdd(frozen_at_, by);
    } else {
      const TimePoint now = NowLocked();
      offset_ += SaturatingAdd(now, by) - now;
    }
  }
  NotifyTimeJump();
}

void SimulatedClock::Freeze() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (frozen_) return;
    frozen_at_ = NowLocked();
    frozen_ = true;
  }
  NotifyTimeJump();
}

void SimulatedClock::Resume() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!frozen_) return;
    offset_ = frozen_at_ - RealNow();
    frozen_ = false;
  }
  NotifyTimeJump();
}

bool SimulatedClock::frozen() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return frozen_;
}

}  // namespace mns
