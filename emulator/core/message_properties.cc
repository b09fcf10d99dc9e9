#include "emulator/core/message_properties.h"

#include <algorithm>
#include <set>
#include <string_view>

#include "emulator/core/errors.h"

namespace mns::emulator {
namespace {

bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

Status ValidateName(const std::string& name) {
  if (name.empty() || name.size() > kMaxPropertyNameLength ||
      !std::all_of(name.begin(), name.end(), IsNameChar) ||
      name.front() == '.' || name.back() == '.' ||
      name.find("..") != std::string::npos) {
    return InvalidArgumentError(
        "The property name \"" + name +
        "\" is invalid: use 1 to 256 of [A-Za-z0-9_.-], not starting or "
        "ending with '.' and without \"..\".");
  }
  return OkStatus();
}

Status ValidateList(const std::vector<MessageProperty>& properties,
                    std::string_view kind,
                    std::initializer_list<std::string_view> types) {
  if (properties.size() > kMaxPropertiesPerMessage) {
    return InvalidArgumentError("A message may carry at most " +
                                std::to_string(kMaxPropertiesPerMessage) + " " +
                                std::string(kind) + " properties.");
  }
  std::set<std::string_view> names;
  for (const MessageProperty& property : properties) {
    MNS_RETURN_IF_ERROR(ValidateName(property.name));
    if (!names.insert(property.name).second) {
      return InvalidArgumentError("The property name \"" + property.name +
                                  "\" is repeated.");
    }
    if (property.value.size() > kMaxPropertyValueLength) {
      return InvalidArgumentError(
          "The value of property \"" + property.name + "\" is longer than " +
          std::to_string(kMaxPropertyValueLength) + " characters.");
    }
    if (std::find(types.begin(), types.end(), property.type) == types.end()) {
      return InvalidArgumentError("The type \"" + property.type +
                                  "\" of property \"" + property.name +
                                  "\" is invalid.");
    }
  }
  return OkStatus();
}

}  // namespace

size_t MessageProperties::bytes() const {
  size_t total = 0;
  for (const auto* list : {&user, &system}) {
    for (const MessageProperty& p : *list) {
      total += p.name.size() + p.value.size() + p.type.size();
    }
  }
  return total;
}

Status ValidateMessageProperties(const MessageProperties& properties) {
  MNS_RETURN_IF_ERROR(ValidateList(properties.user, "user",
                                   {"STRING", "NUMBER", "BOOLEAN", "BINARY"}));
  MNS_RETURN_IF_ERROR(ValidateList(properties.system, "system", {"STRING"}));
  // PHP MessageSystemPropertyKey, JAVA MessageSystemPropertyName (which
  // throws on any other name when it reads a message back).
  static constexpr std::string_view kSystemNames[] = {
      "traceparent",    "tracestate",   "baggage",
      "DLQMessageType", "DLQSourceArn", "DLQOriginMessageId"};
  for (const MessageProperty& property : properties.system) {
    if (std::find(std::begin(kSystemNames), std::end(kSystemNames),
                  property.name) == std::end(kSystemNames)) {
      return InvalidArgumentError("The system property name \"" +
                                  property.name + "\" is not supported.");
    }
  }
  return OkStatus();
}

}  // namespace mns::emulator
