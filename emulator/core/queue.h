// Queue: one MNS queue's messages and their lifecycle (spec mns §5), as a
// pure model. It never reads a clock and never locks: every call takes `now`,
// and the caller (emulator/service) serialises access. Not thread-safe.
//
// A message is Delayed, Active or Inactive; it leaves the queue when deleted
// or when MessageRetentionPeriod has passed since it was enqueued, whatever
// its state. Receive order is priority (1 first), then the order in which
// messages became Active. Send, receive, delete and change-visibility cost
// O(log n); time-driven transitions are applied lazily, each message once.
#ifndef MNS_EMULATOR_CORE_QUEUE_H_
#define MNS_EMULATOR_CORE_QUEUE_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "emulator/core/message_properties.h"
#include "emulator/core/queue_attributes.h"
#include "emulator/core/settings.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"

namespace mns::emulator {

inline constexpr int kDefaultPriority = 8;
inline constexpr int kMaxBatchSize = 16;

struct SendRequest {
  std::string body;
  std::optional<int64_t> delay_seconds;  // absent: the queue's DelaySeconds
  std::optional<int64_t> priority;       // absent: 8
  MessageProperties properties;
};

struct SendResult {
  std::string message_id;
  std::string body_md5;
  // Only for a delayed message (spec mns §3.7).
  std::optional<std::string> receipt_handle;
};

// A message as receive and peek show it. Times are ms since the epoch;
// first_dequeue_time is 0 before the first receive.
struct MessageView {
  std::string message_id;
  std::string body;
  std::string body_md5;
  std::string receipt_handle;  // empty for peek
  int64_t enqueue_time = 0;
  int64_t first_dequeue_time = 0;
  int64_t next_visible_time = 0;
  int64_t dequeue_count = 0;
  int64_t priority = kDefaultPriority;
  // Null when the message has none; shared, never copied, by every view.
  std::shared_ptr<const MessageProperties> properties;
};

struct ChangedVisibility {
  std::string receipt_handle;
  int64_t next_visible_time = 0;  // ms
};

struct QueueCounts {
  int64_t active = 0;
  int64_t inactive = 0;
  int64_t delayed = 0;
};

class Queue {
 public:
  // `random` supplies message ids and handle tokens; it must outlive the
  // queue.
  Queue(std::string name, QueueAttributeValues attributes, TimePoint now,
        const QueueSettings* settings, Random* random);

  const std::string& name() const { return name_; }
  const QueueAttributeValues& attributes() const { return attributes_; }
  TimePoint create_time() const { return create_time_; }
  TimePoint last_modify_time() const { return last_modify_time_; }
  void SetAttributes(const QueueAttributeValues& attributes, TimePoint now);

  // Validates the request (body size, delay, priority) and enqueues it.
  StatusOr<SendResult> Send(const SendRequest& request, TimePoint now);
  // Validates every request before enqueuing any.
  Status ValidateSend(const SendRequest& request) const;

  // Takes up to `max` Active messages, makes them Inactive for the queue's
  // VisibilityTimeout and issues each a new receipt handle. Empty if none.
  std::vector<MessageView> Receive(int max, TimePoint now);
  std::vector<MessageView> Peek(int max, TimePoint now);

  // ReceiptHandleError for a handle this queue could not have issued;
  // MessageNotExist for a handle that is stale (an earlier receive, a deleted
  // message, or past its NextVisibleTime).
  Status Delete(const std::string& receipt_handle, TimePoint now);
  StatusOr<ChangedVisibility> ChangeVisibility(
      const std::string& receipt_handle, int64_t visibility_timeout_seconds,
      TimePoint now);
  // Makes a received message visible again at once, as if its visibility
  // timeout had passed: `receipt_handle` is stale from now on and the next
  // receive gets the message again (a duplicate delivery).
  Status Release(const std::string& receipt_handle, TimePoint now);

  QueueCounts Counts(TimePoint now);
  bool HasActive(TimePoint now);
  // When the next Delayed or Inactive message becomes Active, if any.
  std::optional<TimePoint> NextActivation() const;
  size_t size() const { return messages_.size(); }

 private:
  enum class State { kDelayed, kActive, kInactive };
  struct Message {
    std::array<uint64_t, 2> id;
    std::array<unsigned char, 16> body_md5;
    std::string body;
    std::shared_ptr<const MessageProperties> properties;  // null: none
    int priority;
    State state;
    TimePoint enqueue_time;
    TimePoint first_dequeue_time{};
    TimePoint next_visible_time;
    int64_t dequeue_count = 0;
    // Incremented by every receive; a handle names the epoch it was issued
    // in, and the generation within it (ChangeMessageVisibility).
    uint32_t epoch = 0;
    uint32_t generation = 0;
    // Drawn afresh for every epoch and carried in its handles, so a handle
    // this queue never issued is told apart from a stale one.
    uint64_t handle_token = 0;
    uint64_t active_order = 0;  // key in active_ while Active
  };
  using ActiveKey =
      std::tuple<int, uint64_t, uint64_t>;            // priority, order, seq
  using PendingKey = std::pair<TimePoint, uint64_t>;  // visible at, seq

  // Applies every time-driven transition due by `now`: expiry, then
  // activation of Delayed and Inactive messages.
  void Catch(TimePoint now);
  void MakeActive(uint64_t seq, Message& message);
  void MakePending(uint64_t seq, Message& message, TimePoint visible_at);
  void Erase(std::map<uint64_t, Message>::iterator it);
  MessageView View(const Message& message) const;
  std::string Handle(uint64_t seq, const Message& message) const;
  // The message a live handle names, or the error for a dead one.
  StatusOr<std::map<uint64_t, Message>::iterator> Resolve(
      const std::string& receipt_handle, TimePoint now);

  std::string name_;
  QueueAttributeValues attributes_;
  TimePoint create_time_;
  TimePoint last_modify_time_;
  const QueueSettings* settings_;
  Random* random_;

  uint64_t next_seq_ = 1;
  uint64_t next_active_order_ = 1;
  std::map<uint64_t, Message> messages_;  // by seq: enqueue order
  std::set<ActiveKey> active_;
  std::set<PendingKey> pending_;  // Delayed and Inactive
  int64_t delayed_count_ = 0;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_QUEUE_H_
