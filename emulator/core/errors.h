// The MNS error vocabulary of the core: each function builds the Status for
// one wire error code with the cloud's message text (spec mns §6.2). The HTTP
// layer maps codes to statuses in one table (MnsApi::HttpStatusFor in
// emulator/http/mns_api.cc).
#ifndef MNS_EMULATOR_CORE_ERRORS_H_
#define MNS_EMULATOR_CORE_ERRORS_H_

#include <string>

#include "client/common/status.h"

namespace mns::emulator {

inline Status QueueNotExistError() {
  return Status(StatusCode::kNotFound,
                "The queue name you provided is not exist.", "QueueNotExist");
}
inline Status QueueAlreadyExistError() {
  return Status(StatusCode::kAlreadyExists,
                "The queue you want to create is already exist.",
                "QueueAlreadyExist");
}
inline Status MessageNotExistError() {
  return Status(StatusCode::kNotFound, "Message not exist.", "MessageNotExist");
}
inline Status ReceiptHandleError() {
  return Status(StatusCode::kInvalidArgument,
                "The receipt handle you provide is not valid.",
                "ReceiptHandleError");
}
inline Status InvalidArgumentError(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message),
                "InvalidArgument");
}
// "The value of DelaySeconds should between 0 and 604800 seconds."
inline Status OutOfRangeError(const std::string& name, int64_t low,
                              int64_t high, const std::string& unit) {
  return InvalidArgumentError("The value of " + name + " should between " +
                              std::to_string(low) + " and " +
                              std::to_string(high) + " " + unit + ".");
}

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_ERRORS_H_
