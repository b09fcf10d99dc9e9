// The error vocabulary of the core: each function builds the Status for one
// wire error code. Codes with a fixed text carry none here: the text and the
// HTTP status come from each protocol's one table, emulator/http/
// mns_errors.cc (spec mns §6.2) and emulator/http/pop_errors.cc (spec alicom
// §6.4). Codes whose text names a value (InvalidArgument) carry that text.
#ifndef MNS_EMULATOR_CORE_ERRORS_H_
#define MNS_EMULATOR_CORE_ERRORS_H_

#include <string>

#include "mns/common/status.h"

namespace mns::emulator {

inline Status QueueNotExistError() {
  return Status(StatusCode::kNotFound, "", "QueueNotExist");
}
inline Status QueueAlreadyExistError() {
  return Status(StatusCode::kAlreadyExists, "", "QueueAlreadyExist");
}
inline Status MessageNotExistError() {
  return Status(StatusCode::kNotFound, "", "MessageNotExist");
}
inline Status ReceiptHandleError() {
  return Status(StatusCode::kInvalidArgument, "", "ReceiptHandleError");
}
inline Status TopicNotExistError() {
  return Status(StatusCode::kNotFound, "", "TopicNotExist");
}
inline Status TopicAlreadyExistError() {
  return Status(StatusCode::kAlreadyExists, "", "TopicAlreadyExist");
}
inline Status SubscriptionNotExistError() {
  return Status(StatusCode::kNotFound, "", "SubscriptionNotExist");
}
inline Status SubscriptionAlreadyExistError() {
  return Status(StatusCode::kAlreadyExists, "", "SubscriptionAlreadyExist");
}
// The text says what is wrong with the endpoint.
inline Status EndpointInvalidError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message),
                "EndpointInvalid");
}
inline Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message),
                "InvalidArgument");
}
// A body whose elements break the published schema (spec mns §6.2, topic
// §7: InvalidArgument with this text).
inline Status SchemaInvalidError(const std::string& cause) {
  return InvalidArgumentError(
      "The XML you provided did not validate against our published schema, "
      "cause by " +
      cause + ".");
}
// "The value of DelaySeconds should between 0 and 604800 seconds."
inline Status OutOfRangeError(const std::string& name, int64_t low,
                              int64_t high, const std::string& unit) {
  return InvalidArgumentError("The value of " + name + " should between " +
                              std::to_string(low) + " and " +
                              std::to_string(high) + " " + unit + ".");
}

// Dysmsapi's business refusals (spec alicom §6.4): answered with HTTP 200
// and the code, which is all the core says about them.
inline Status SmsBusinessError(std::string code) {
  return Status(StatusCode::kInvalidArgument, "", std::move(code));
}
// The emulator's own bound on pending receipts (alicom.max_pending_reports)
// is refused with the cloud's flow-control code.
inline Status SmsFlowControlError() {
  return Status(StatusCode::kResourceExhausted, "",
                "isv.BUSINESS_LIMIT_CONTROL");
}

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_ERRORS_H_
