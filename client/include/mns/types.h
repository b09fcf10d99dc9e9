// The typed requests and results of the MNS queue API (spec mns §3, §4).
// Plain values. Times are TimePoints; the wire's units (seconds for queues,
// milliseconds for messages) are the client's business.
#ifndef MNS_CLIENT_TYPES_H_
#define MNS_CLIENT_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns {

// Settable queue attributes; an absent field is left as it is (or at the
// cloud's default on create).
struct QueueAttributes {
  std::optional<int64_t> delay_seconds;
  std::optional<int64_t> maximum_message_size;
  std::optional<int64_t> message_retention_period;
  std::optional<int64_t> visibility_timeout;
  std::optional<int64_t> polling_wait_seconds;
  std::optional<bool> logging_enabled;
};

// GetQueueAttributes: every attribute plus the counters.
struct QueueInfo {
  std::string name;
  TimePoint create_time;
  TimePoint last_modify_time;
  int64_t delay_seconds = 0;
  int64_t maximum_message_size = 0;
  int64_t message_retention_period = 0;
  int64_t visibility_timeout = 0;
  int64_t polling_wait_seconds = 0;
  bool logging_enabled = false;
  int64_t active_messages = 0;
  int64_t inactive_messages = 0;
  int64_t delay_messages = 0;
};

struct QueuePage {
  std::vector<std::string> queue_urls;
  std::vector<std::string> queue_names;
  std::string next_marker;  // empty on the last page
};

struct SendMessageRequest {
  std::string body;
  std::optional<int64_t> delay_seconds;
  std::optional<int64_t> priority;
};

struct SendMessageResult {
  std::string message_id;
  std::string body_md5;
  std::string receipt_handle;  // only for a delayed message
};

// One entry of a BatchSendMessage reply: a result or that entry's error.
using BatchSendEntry = StatusOr<SendMessageResult>;

struct Message {
  std::string message_id;
  // Base64-decoded when the client decodes bodies and the text is valid
  // base64; otherwise as on the wire.
  std::string body;
  std::string raw_body;  // as on the wire
  std::string body_md5;
  std::string receipt_handle;  // empty for peek
  TimePoint enqueue_time;
  std::optional<TimePoint> first_dequeue_time;  // none before the first receive
  TimePoint next_visible_time;
  int64_t dequeue_count = 0;
  int64_t priority = 8;
};

struct BatchDeleteError {
  std::string receipt_handle;
  std::string error_code;
  std::string error_message;
};

struct VisibilityChange {
  std::string receipt_handle;
  TimePoint next_visible_time;
};

}  // namespace mns

#endif  // MNS_CLIENT_TYPES_H_
