// EmulatorClock: the time of an emulator's virtual clock, read from its
// GET /_emulator/clock, for a consumer whose deadlines must follow that
// clock when a test moves it (alicom-certify's compensates scenario). It
// asks at most every `refresh` and runs on real time in between; when the
// emulator cannot be reached it keeps the last offset it knew. Waits are
// real-time slices no longer than `refresh`, so a waiter re-checks Now()
// soon after a jump. Thread-safe.
#ifndef MNS_CLIENT_TOOLS_EMULATOR_CLOCK_H_
#define MNS_CLIENT_TOOLS_EMULATOR_CLOCK_H_

#include <mutex>
#include <string>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::tools {

class EmulatorClock : public Clock {
 public:
  // `url` is the clock control, e.g. http://127.0.0.1:9876/_emulator/clock.
  static StatusOr<std::unique_ptr<EmulatorClock>> Connect(
      const std::string& url, Duration refresh = Duration(100));

  TimePoint Now() const override;
  void WaitUntil(std::unique_lock<std::mutex>& lock,
                 std::condition_variable& cv, TimePoint deadline) override;

 private:
  EmulatorClock(std::string host, std::string path, Duration refresh);
  // The emulator's now_ms, or an error.
  StatusOr<TimePoint> Fetch() const;

  const std::string host_;  // scheme://host:port
  const std::string path_;
  const Duration refresh_;
  SystemClock real_;
  mutable std::mutex mutex_;
  mutable Duration offset_{0};  // emulator time - real time
  mutable TimePoint fetched_at_;
};

}  // namespace mns::tools

#endif  // MNS_CLIENT_TOOLS_EMULATOR_CLOCK_H_
