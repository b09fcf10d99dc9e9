#include "client/tools/emulator_clock.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "mns/common/strings.h"

namespace mns::tools {

StatusOr<std::unique_ptr<EmulatorClock>> EmulatorClock::Connect(
    const std::string& url, Duration refresh) {
  auto parts = SplitHttpUrl(url);
  if (!parts || parts->host.empty() || parts->target.empty()) {
    return Status(StatusCode::kInvalidArgument, "not a clock URL: " + url);
  }
  std::unique_ptr<EmulatorClock> clock(
      new EmulatorClock(parts->origin, parts->target, refresh));
  MNS_ASSIGN_OR_RETURN(TimePoint now, clock->Fetch());
  clock->offset_ = now - clock->real_.Now();
  clock->fetched_at_ = clock->real_.Now();
  return clock;
}

EmulatorClock::EmulatorClock(std::string host, std::string path,
                             Duration refresh)
    : host_(std::move(host)), path_(std::move(path)), refresh_(refresh) {}

StatusOr<TimePoint> EmulatorClock::Fetch() const {
  httplib::Client client(host_);
  client.set_connection_timeout(1);
  client.set_read_timeout(2);
  auto reply = client.Get(path_);
  if (!reply) {
    return Status(
        StatusCode::kUnavailable,
        "clock " + host_ + path_ + ": " + httplib::to_string(reply.error()));
  }
  const auto json = nlohmann::json::parse(reply->body, nullptr,
                                          /*allow_exceptions=*/false);
  if (reply->status != 200 || !json.is_object() || !json.contains("now_ms") ||
      !json["now_ms"].is_number_integer()) {
    return Status(StatusCode::kUnavailable,
                  "clock " + host_ + path_ + " answered " +
                      std::to_string(reply->status) + " without now_ms");
  }
  return FromUnixMillis(json["now_ms"].get<int64_t>());
}

TimePoint EmulatorClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  const TimePoint real = real_.Now();
  if (real - fetched_at_ >= refresh_) {
    if (auto now = Fetch(); now.ok()) offset_ = *now - real;
    fetched_at_ = real;
  }
  return real + offset_;
}

void EmulatorClock::WaitUntil(std::unique_lock<std::mutex>& lock,
                              std::condition_variable& cv, TimePoint deadline) {
  const Duration left = deadline - Now();
  if (left <= Duration(0)) return;
  real_.WaitUntil(lock, cv, real_.Now() + std::min(left, refresh_));
}

}  // namespace mns::tools
