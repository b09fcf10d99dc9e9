#include "emulator/core/queue_attributes.h"

#include <string>

#include "emulator/core/errors.h"

namespace mns::emulator {
namespace {

Status CheckRange(const std::optional<int64_t>& value, const std::string& name,
                  int64_t low, int64_t high, const std::string& unit) {
  if (value && (*value < low || *value > high)) {
    return OutOfRangeError(name, low, high, unit);
  }
  return OkStatus();
}

}  // namespace

Status ValidateUpdate(const QueueAttributeUpdate& update,
                      const QueueSettings& settings) {
  MNS_RETURN_IF_ERROR(CheckRange(update.delay_seconds, "DelaySeconds", 0,
                                 kMaxDelaySeconds, "seconds"));
  MNS_RETURN_IF_ERROR(CheckRange(update.maximum_message_size,
                                 "MaximumMessageSize", 1024, 65536, "bytes"));
  MNS_RETURN_IF_ERROR(
      CheckRange(update.message_retention_period, "MessageRetentionPeriod", 60,
                 settings.max_message_retention_seconds, "seconds"));
  MNS_RETURN_IF_ERROR(CheckRange(update.visibility_timeout, "VisibilityTimeout",
                                 kMinVisibilityTimeout, kMaxVisibilityTimeout,
                                 "seconds"));
  MNS_RETURN_IF_ERROR(CheckRange(update.polling_wait_seconds,
                                 "PollingWaitSeconds", 0,
                                 kMaxPollingWaitSeconds, "seconds"));
  return OkStatus();
}

QueueAttributeValues ApplyUpdate(QueueAttributeValues base,
                                 const QueueAttributeUpdate& update) {
  base.delay_seconds = update.delay_seconds.value_or(base.delay_seconds);
  base.maximum_message_size =
      update.maximum_message_size.value_or(base.maximum_message_size);
  base.message_retention_period =
      update.message_retention_period.value_or(base.message_retention_period);
  base.visibility_timeout =
      update.visibility_timeout.value_or(base.visibility_timeout);
  base.polling_wait_seconds =
      update.polling_wait_seconds.value_or(base.polling_wait_seconds);
  base.logging_enabled = update.logging_enabled.value_or(base.logging_enabled);
  return base;
}

}  // namespace mns::emulator
