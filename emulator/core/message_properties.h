// Message properties (spec topic §5): user and system name/value/type
// triples a producer attaches to a message. The emulator stores and echoes
// them verbatim; it only checks the documented limits.
#ifndef MNS_EMULATOR_CORE_MESSAGE_PROPERTIES_H_
#define MNS_EMULATOR_CORE_MESSAGE_PROPERTIES_H_

#include <string>
#include <vector>

#include "mns/common/status.h"

namespace mns::emulator {

struct MessageProperty {
  std::string name;
  std::string value;  // base64 text for BINARY, as it travels
  std::string type;   // STRING, NUMBER, BOOLEAN or BINARY

  bool operator==(const MessageProperty&) const = default;
};

struct MessageProperties {
  std::vector<MessageProperty> user;
  std::vector<MessageProperty> system;

  bool empty() const { return user.empty() && system.empty(); }
  // What the properties add to the message size: every name, value and type
  // counts toward MaximumMessageSize (spec topic §5.4).
  size_t bytes() const;
  bool operator==(const MessageProperties&) const = default;
};

inline constexpr size_t kMaxPropertiesPerMessage = 50;
inline constexpr size_t kMaxPropertyNameLength = 256;
inline constexpr size_t kMaxPropertyValueLength = 4096;

// InvalidArgument for a property the cloud refuses (spec topic §5.4): more
// than 50 user or 50 system properties (UNCONFIRMED whether the two share
// the 50; counted separately here), a name that is empty, longer than 256,
// outside [A-Za-z0-9_.-], starting or ending with '.', containing "..",
// or repeated; a value over 4096 characters; a user type outside STRING,
// NUMBER, BOOLEAN, BINARY; a system property that is not STRING or whose
// name the SDKs do not know (traceparent, tracestate, baggage,
// DLQMessageType, DLQSourceArn, DLQOriginMessageId).
Status ValidateMessageProperties(const MessageProperties& properties);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_MESSAGE_PROPERTIES_H_
