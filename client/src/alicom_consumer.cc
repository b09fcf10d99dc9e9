#include "mns/alicom_consumer.h"

#include <algorithm>
#include <cmath>

#include "client/src/retry.h"
#include "mns/common/random.h"

namespace mns {
namespace {

// Errors after which a fresh token may help: the 403 codes of spec mns
// §6.2, and for an expired or unknown STS token, whose code no source
// states (spec alicom §4: "[U] suggest 403 SecurityTokenExpired"), both the
// names the emulator uses by default. The provider refreshes before expiry
// anyway; this only shortens recovery. Any other code backs off without a
// refresh.
bool IsAuthError(const Status& status) {
  const std::string& code = status.error_code();
  return code == "SecurityTokenExpired" || code == "InvalidSecurityToken" ||
         code == "InvalidAccessKeyId" || code == "AccessDenied" ||
         code == "SignatureDoesNotMatch";
}

}  // namespace

AlicomConsumer::AlicomConsumer(std::shared_ptr<MnsClient> mns,
                               std::shared_ptr<AlicomTokenProvider> tokens,
                               Options options)
    : mns_(std::move(mns)),
      tokens_(std::move(tokens)),
      options_(std::move(options)),
      clock_(options_.clock ? options_.clock : std::make_shared<SystemClock>()),
      backoff_random_(options_.backoff_seed) {}

AlicomConsumer::~AlicomConsumer() { Stop(); }

void AlicomConsumer::Start() {
  stop_ = std::stop_source();
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Work(); });
  }
}

void AlicomConsumer::Stop() {
  stop_.request_stop();
  {
    // Taken so a worker between its check and its wait cannot miss this.
    std::lock_guard<std::mutex> lock(backoff_mutex_);
  }
  backoff_wake_.notify_all();
  for (auto& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
  workers_.clear();
}

AlicomConsumer::Stats AlicomConsumer::stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

void AlicomConsumer::Backoff(int failures) {
  // Exponential, capped, with full jitter; Stop() cuts it short.
  const Duration delay = internal::JitteredBackoff(
      options_.min_backoff, options_.min_backoff, 2.0, options_.max_backoff,
      failures, backoff_random_);
  const TimePoint until = clock_->Now() + delay;
  // Woken by a jump of a simulated clock and by Stop().
  Clock::Subscription jumps = clock_->OnTimeJump([this] {
    std::lock_guard<std::mutex> lock(backoff_mutex_);
    backoff_wake_.notify_all();
  });
  std::unique_lock<std::mutex> lock(backoff_mutex_);
  while (!stop_.stop_requested() && clock_->Now() < until) {
    clock_->WaitUntil(lock, backoff_wake_, until);
  }
}

void AlicomConsumer::Work() {
  int failures = 0;
  const int wait = std::clamp(options_.wait_seconds, 1, 30);
  const int batch_size = std::clamp(options_.batch_size, 1, 16);
  const std::stop_token stop = stop_.get_token();
  while (!stop.stop_requested()) {
    auto batch =
        mns_->BatchReceiveMessage(options_.queue_name, batch_size, wait, stop);
    if (!batch.ok()) {
      if (stop.stop_requested()) break;  // a cancelled poll is no error
      // An empty queue after a long poll is the normal idle state.
      if (batch.status().error_code() == "MessageNotExist") {
        failures = 0;
        continue;
      }
      {
        std::lock_guard<std::mutex> lock(stats_mutex_);
        ++stats_.errors;
      }
      if (on_error_) on_error_(batch.status());
      if (tokens_ && IsAuthError(batch.status())) (void)tokens_->Refresh();
      Backoff(failures++);
      continue;
    }
    failures = 0;
    std::vector<std::string> handles = Handle(*batch);
    if (handles.empty()) continue;
    auto failed = mns_->BatchDeleteMessage(options_.queue_name, handles);
    std::lock_guard<std::mutex> lock(stats_mutex_);
    if (!failed.ok()) {
      ++stats_.errors;
    } else {
      stats_.deleted += static_cast<int64_t>(handles.size() - failed->size());
    }
  }
}

std::vector<std::string> AlicomConsumer::Handle(
    const std::vector<Message>& batch) {
  std::vector<std::string> to_delete;
  for (const Message& message : batch) {
    Stats delta{.received = 1};
    if (message.dequeue_count > options_.poison_after_dequeues) {
      // Dead-lettered: reported once, then deleted so it stops coming back.
      if (on_poison_) on_poison_(message);
      delta.poisoned = 1;
      to_delete.push_back(message.receipt_handle);
    } else {
      Status malformed;
      bool accepted = false;
      try {
        accepted = Dispatch(message, malformed);
      } catch (...) {
        accepted = false;
      }
      if (!malformed.ok()) {
        delta.malformed = 1;
        if (on_malformed_) on_malformed_(message, malformed);
      } else if (accepted) {
        delta.handled = 1;
        to_delete.push_back(message.receipt_handle);
      } else {
        delta.failed = 1;
      }
    }
    std::lock_guard<std::mutex> lock(stats_mutex_);
    stats_.received += delta.received;
    stats_.handled += delta.handled;
    stats_.failed += delta.failed;
    stats_.malformed += delta.malformed;
    stats_.poisoned += delta.poisoned;
  }
  return to_delete;
}

bool AlicomConsumer::Dispatch(const Message& message, Status& malformed) {
  if (on_report_) {
    auto report = ParseSmsReport(message.body);
    if (!report.ok()) {
      malformed = report.status();
      return false;
    }
    return on_report_(*report, message);
  }
  if (on_up_) {
    auto up = ParseSmsUp(message.body);
    if (!up.ok()) {
      malformed = up.status();
      return false;
    }
    return on_up_(*up, message);
  }
  return false;
}

}  // namespace mns
