// AlicomConsumer: the receipt loop done right. Workers long-poll an Alicom
// queue with batch receive, decode each base64 JSON body into a typed
// SmsReport or SmsUp, call the user's handler, and batch-delete what it
// accepted; the rest comes back after the visibility timeout.
//
// A body that is not a receipt goes to the malformed callback and never
// stops the loop. A message received more than `poison_after_dequeues` times
// goes to the poison callback and is then deleted. Errors back off
// exponentially (never a hot loop); an authentication error makes the token
// provider refresh first. Stop() lets in-flight handlers finish and their
// deletes complete, and cancels the long polls at once. (A server may still
// hand a batch to a poll whose connection was just dropped; those messages
// come back after their visibility timeout, as after any lost response.)
// Thread-safe; handlers run on the worker threads, concurrently when there
// are several workers.
#ifndef MNS_CLIENT_ALICOM_CONSUMER_H_
#define MNS_CLIENT_ALICOM_CONSUMER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/mns_client.h"
#include "mns/receipts.h"
#include "mns/token_provider.h"

namespace mns {

class AlicomConsumer {
 public:
  struct Options {
    std::string queue_name;  // Alicom-Queue-<uid>-SmsReport or -SmsUp
    int batch_size = 16;     // 1..16
    int wait_seconds = 30;   // 1..30
    int workers = 1;
    int64_t poison_after_dequeues = 5;
    Duration min_backoff{200};
    Duration max_backoff{30'000};
    std::shared_ptr<Clock> clock;  // the real clock when null
    // Seeds the backoff's jitter, for reproducible tests; absent: random.
    std::optional<uint64_t> backoff_seed;
  };

  // Return true to have the message deleted; false (or a thrown exception)
  // leaves it for redelivery.
  using ReportHandler = std::function<bool(const SmsReport&, const Message&)>;
  using UpHandler = std::function<bool(const SmsUp&, const Message&)>;
  using MalformedHandler = std::function<void(const Message&, const Status&)>;
  using PoisonHandler = std::function<void(const Message&)>;
  using ErrorHandler = std::function<void(const Status&)>;

  struct Stats {
    int64_t received = 0;
    int64_t handled = 0;  // accepted by the handler
    int64_t failed = 0;   // rejected or threw
    int64_t deleted = 0;
    int64_t malformed = 0;
    int64_t poisoned = 0;
    int64_t errors = 0;  // failed polls or deletes
  };

  // `tokens` may be null (static credentials); when given, an authentication
  // error refreshes it before the next poll.
  AlicomConsumer(std::shared_ptr<MnsClient> mns,
                 std::shared_ptr<AlicomTokenProvider> tokens, Options options);
  ~AlicomConsumer();

  // Set handlers before Start(). A queue of reports needs OnReport, of
  // replies OnUp; the other callbacks are optional.
  void OnReport(ReportHandler handler) { on_report_ = std::move(handler); }
  void OnUp(UpHandler handler) { on_up_ = std::move(handler); }
  void OnMalformed(MalformedHandler handler) {
    on_malformed_ = std::move(handler);
  }
  void OnPoison(PoisonHandler handler) { on_poison_ = std::move(handler); }
  void OnError(ErrorHandler handler) { on_error_ = std::move(handler); }

  void Start();
  void Stop();
  Stats stats() const;

 private:
  void Work();
  // Handles one batch; returns the handles to delete.
  std::vector<std::string> Handle(const std::vector<Message>& batch);
  // Decodes and hands `message` to its handler; sets `malformed` when the
  // body is not a receipt.
  bool Dispatch(const Message& message, Status& malformed);
  void Backoff(int failures);

  const std::shared_ptr<MnsClient> mns_;
  const std::shared_ptr<AlicomTokenProvider> tokens_;
  const Options options_;
  const std::shared_ptr<Clock> clock_;
  ReportHandler on_report_;
  UpHandler on_up_;
  MalformedHandler on_malformed_;
  PoisonHandler on_poison_;
  ErrorHandler on_error_;

  std::stop_source stop_;
  Random backoff_random_;  // thread-safe
  std::mutex backoff_mutex_;
  std::condition_variable backoff_wake_;
  std::vector<std::thread> workers_;
  mutable std::mutex stats_mutex_;
  Stats stats_;
};

}  // namespace mns

#endif  // MNS_CLIENT_ALICOM_CONSUMER_H_
