// What a topic delivers and when it tries again (spec topic §4): the body
// of a notification in each NotifyContentFormat, and the retry schedule of
// each NotifyStrategy. Pure functions; the Random is the caller's.
#ifndef MNS_EMULATOR_CORE_NOTIFICATION_H_
#define MNS_EMULATOR_CORE_NOTIFICATION_H_

#include <optional>
#include <string>

#include "emulator/core/topic.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

// Who published to which subscription (spec topic §4.0): the topic's owner
// and the subscriber are the topic's account.
struct NotificationSource {
  std::string topic_owner;
  std::string topic;
  std::string subscriber;
  std::string subscription;
};

// XML: a <Notification> document, pretty-printed as the cloud's (spec topic
// §4.2); JSON: one object with PublishTime as a string; SIMPLIFIED: the
// published body exactly.
std::string NotificationBody(NotifyContentFormat format,
                             const NotificationSource& source,
                             const PublishedMessage& message);

// How long after the `failed_attempts`-th failed attempt the next one is
// made, or nullopt when the strategy gives up (spec topic §4.0):
// BACKOFF_RETRY retries 3 times after 10–20 s each (uniform); EXPONENTIAL_
// DECAY_RETRY 176 times, after 1, 2, 4, … 256 s, then 167 times after 512 s.
std::optional<Duration> RetryDelay(NotifyStrategy strategy, int failed_attempts,
                                   Random& random);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_NOTIFICATION_H_
