// ScopedTimeZone: sets the process's TZ for a test and restores it after,
// to prove that code does not depend on the host's time zone. Not
// thread-safe: TZ is process-wide.
#ifndef MNS_COMMON_TESTING_SCOPED_TIME_ZONE_H_
#define MNS_COMMON_TESTING_SCOPED_TIME_ZONE_H_

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace mns::testutil {

class ScopedTimeZone {
 public:
  explicit ScopedTimeZone(const char* zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", zone, 1);
    tzset();
  }
  ~ScopedTimeZone() {
    if (old_) {
      setenv("TZ", old_->c_str(), 1);
    } else {
      unsetenv("TZ");
    }
    tzset();
  }
  ScopedTimeZone(const ScopedTimeZone&) = delete;
  ScopedTimeZone& operator=(const ScopedTimeZone&) = delete;

 private:
  std::optional<std::string> old_;
};

}  // namespace mns::testutil

#endif  // MNS_COMMON_TESTING_SCOPED_TIME_ZONE_H_
