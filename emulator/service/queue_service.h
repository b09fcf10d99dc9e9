// QueueService: the thread-safe face of the queue model, with long polling.
//
// It owns every account's QueueStore behind one mutex (operations are
// microseconds; parked long polls hold no lock) and takes `now` from the one
// Clock. A waiting receive parks on its own condition variable in a FIFO per
// queue. Only the front waiter also watches the queue's next activation time
// (end of a delay or a visibility timeout); every mutation of a queue wakes
// its front waiter, and a waiter that leaves wakes the next one, so a message
// that becomes Active wakes exactly one receiver, whatever made it Active,
// and no loop polls. Thread-safe.
#ifndef MNS_EMULATOR_SERVICE_QUEUE_SERVICE_H_
#define MNS_EMULATOR_SERVICE_QUEUE_SERVICE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/queue_store.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"

namespace mns::emulator {

struct QueueSnapshot {
  std::string name;
  QueueAttributeValues attributes;
  TimePoint create_time;
  TimePoint last_modify_time;
  QueueCounts counts;
};

struct QueueListing {
  std::vector<QueueSnapshot> queues;
  std::string next_marker;
};

// An account's own settings (spec topic §6): where the cloud would write
// its logs, and the tracing switch the Java SDK knows.
struct AccountAttributes {
  std::string logging_bucket;            // "" when unset
  std::optional<int64_t> trace_enabled;  // rendered only once set
};

// SetAccountAttributes: an absent field is left as it is.
struct AccountAttributeUpdate {
  std::optional<std::string> logging_bucket;  // "" clears it
  std::optional<int64_t> trace_enabled;
};

// One entry of a batch send: the result or the entry's own error.
using BatchSendEntry = StatusOr<SendResult>;

struct BatchDeleteFailure {
  std::string receipt_handle;
  Status error;
};

class QueueService {
 public:
  QueueService(Clock* clock, Random* random, QueueSettings settings);
  ~QueueService();

  QueueService(const QueueService&) = delete;
  QueueService& operator=(const QueueService&) = delete;

  const QueueSettings& settings() const { return settings_; }
  Clock* clock() const { return clock_; }

  void AddAccount(const std::string& account_id);
  StatusOr<AccountAttributes> GetAccountAttributes(const std::string& account);
  Status SetAccountAttributes(const std::string& account,
                              const AccountAttributeUpdate& update);

  StatusOr<CreateOutcome> CreateQueue(const std::string& account,
                                      const std::string& queue,
                                      const QueueAttributeUpdate& attributes);
  Status SetQueueAttributes(const std::string& account,
                            const std::string& queue,
                            const QueueAttributeUpdate& update);
  StatusOr<QueueSnapshot> GetQueueAttributes(const std::string& account,
                                             const std::string& queue);
  // Returns whether the queue existed. Parked receives on it end with
  // QueueNotExist.
  bool DeleteQueue(const std::string& account, const std::string& queue);
  StatusOr<QueueListing> ListQueues(const std::string& account,
                                    const std::string& prefix,
                                    const std::string& marker, int limit);

  StatusOr<SendResult> SendMessage(const std::string& account,
                                   const std::string& queue,
                                   const SendRequest& request);
  // Whole-request errors (queue, entry count, total size) are the outer
  // Status; otherwise every valid entry is enqueued and each entry carries
  // its own result.
  StatusOr<std::vector<BatchSendEntry>> BatchSendMessage(
      const std::string& account, const std::string& queue,
      const std::vector<SendRequest>& requests);

  // Receives up to `max` messages, waiting up to `wait_seconds` (absent: the
  // queue's PollingWaitSeconds) for one to become Active. MessageNotExist when
  // the wait ends empty or the service shuts down. With `never_wait`, a
  // receive that finds nothing and would wait returns kWouldWait at once
  // instead (the caller retries where a thread may block).
  StatusOr<std::vector<MessageView>> ReceiveMessage(
      const std::string& account, const std::string& queue, int max,
      std::optional<int64_t> wait_seconds, bool never_wait = false);
  // The error_code of that answer; never sent on the wire.
  static constexpr char kWouldWait[] = "emulator.WouldWait";
  StatusOr<std::vector<MessageView>> PeekMessage(const std::string& account,
                                                 const std::string& queue,
                                                 int max);

  Status DeleteMessage(const std::string& account, const std::string& queue,
                       const std::string& receipt_handle);
  // The handles that failed, with why; empty when all were deleted.
  StatusOr<std::vector<BatchDeleteFailure>> BatchDeleteMessage(
      const std::string& account, const std::string& queue,
      const std::vector<std::string>& receipt_handles);
  StatusOr<ChangedVisibility> ChangeMessageVisibility(
      const std::string& account, const std::string& queue,
      const std::string& receipt_handle, int64_t visibility_timeout_seconds);
  // Queue::Release: the message is visible again now and the handle stale.
  Status ReleaseMessage(const std::string& account, const std::string& queue,
                        const std::string& receipt_handle);

  // Drops every queue and message and clears account attributes; accounts
  // stay. Parked receives end.
  void Reset();
  // Ends every parked receive (with MessageNotExist) and refuses to park new
  // ones.
  void Shutdown();

  // Number of receives parked right now (for tests and benchmarks).
  size_t ParkedReceives() const;

  struct QueueGauge {
    std::string account;
    std::string queue;
    QueueCounts counts;
  };
  // Every queue's message counts by state, from the counts each queue keeps
  // as messages change state: no message is visited.
  std::vector<QueueGauge> AllQueueCounts();

  // Called, for each parked receive that returns messages after being
  // woken, with the real time from the wake-up (a send, a release, a clock
  // jump: what made a message available) to the receive's return. Set
  // before requests arrive.
  void SetWakeObserver(std::function<void(std::chrono::nanoseconds)> observer) {
    wake_observer_ = std::move(observer);
  }

 private:
  struct Waiter {
    std::condition_variable cv;
    // When it was first woken by an event, for the wake observer.
    std::optional<std::chrono::steady_clock::time_point> woken;

    void Wake() {
      if (!woken) woken = std::chrono::steady_clock::now();
      cv.notify_one();
    }
  };
  using WaitList = std::list<Waiter*>;
  struct Account {
    explicit Account(QueueStore store) : store(std::move(store)) {}
    QueueStore store;
    AccountAttributes attributes;
    std::map<std::string, WaitList> waiters;  // by queue name
  };

  StatusOr<Account*> FindAccount(const std::string& account);
  StatusOr<Queue*> FindQueue(const std::string& account,
                             const std::string& queue);
  // Wakes the front waiter of a queue after anything changed it.
  void WakeFront(const std::string& account, const std::string& queue);
  void WakeAll();
  void OnTimeJump();

  Clock* clock_;
  Random* random_;
  const QueueSettings settings_;

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Account>> accounts_;
  bool shutdown_ = false;
  // Written under mutex_, read without it, so watching it does not contend
  // with the receives it counts.
  std::atomic<size_t> parked_{0};
  Clock::Subscription time_jumps_;
  std::function<void(std::chrono::nanoseconds)> wake_observer_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_QUEUE_SERVICE_H_
