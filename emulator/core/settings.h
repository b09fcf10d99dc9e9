// Behaviour settings for facts the spec marks UNCONFIRMED, with the most
// likely default and the evidence behind it. They are read from the "settings"
// object of the config file (emulator/config.cc) and documented in README.md.
// Plain values.
#ifndef MNS_EMULATOR_CORE_SETTINGS_H_
#define MNS_EMULATOR_CORE_SETTINGS_H_

#include <cstdint>

namespace mns::emulator {

struct QueueSettings {
  // Reject the receipt handle from before a ChangeMessageVisibility. Default
  // false: PHP Tests/QueueTest.php::testMessage deletes with the pre-change
  // handle and expects success (spec mns §5).
  bool strict_receipt_handles = false;
  // Priority 0 means "default" (8) rather than InvalidArgument: the Go SDK
  // always sends <Priority>0</Priority> when unset (spec mns §3.7).
  bool priority_zero_is_default = true;
  // Upper bound of MessageRetentionPeriod: 604800 by the CreateQueue doc; the
  // Go SDK allows 1296000 (spec mns §4).
  int64_t max_message_retention_seconds = 604800;
  // Queue names: 256 by ROS/Terraform/Go; a newer doc page says 120 (§7.3).
  int64_t max_queue_name_length = 256;
  // Whether peek sees Inactive messages too. The doc says only Active ones
  // (spec mns §3.11).
  bool peek_includes_inactive = false;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_SETTINGS_H_
