// Queue attributes (spec mns §4): the effective values of a queue, and a
// partial update as CreateQueue and SetQueueAttributes carry it. Plain values.
#ifndef MNS_EMULATOR_CORE_QUEUE_ATTRIBUTES_H_
#define MNS_EMULATOR_CORE_QUEUE_ATTRIBUTES_H_

#include <cstdint>
#include <optional>

#include "emulator/core/settings.h"
#include "mns/common/status.h"

namespace mns::emulator {

struct QueueAttributeValues {
  int64_t delay_seconds = 0;
  int64_t maximum_message_size = 65536;
  int64_t message_retention_period = 345600;
  int64_t visibility_timeout = 30;
  int64_t polling_wait_seconds = 0;
  bool logging_enabled = false;

  friend bool operator==(const QueueAttributeValues&,
                         const QueueAttributeValues&) = default;
};

struct QueueAttributeUpdate {
  std::optional<int64_t> delay_seconds;
  std::optional<int64_t> maximum_message_size;
  std::optional<int64_t> message_retention_period;
  std::optional<int64_t> visibility_timeout;
  std::optional<int64_t> polling_wait_seconds;
  std::optional<bool> logging_enabled;
};

// InvalidArgument naming the first value out of its range.
Status ValidateUpdate(const QueueAttributeUpdate& update,
                      const QueueSettings& settings);

QueueAttributeValues ApplyUpdate(QueueAttributeValues base,
                                 const QueueAttributeUpdate& update);

inline constexpr int64_t kMaxDelaySeconds = 604800;
inline constexpr int64_t kMinVisibilityTimeout = 1;
inline constexpr int64_t kMaxVisibilityTimeout = 43200;
inline constexpr int64_t kMaxPollingWaitSeconds = 30;

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_QUEUE_ATTRIBUTES_H_
