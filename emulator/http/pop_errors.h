// The one table of POP error codes (spec alicom §2.5, §6.4): each code's
// kind, HTTP status and, where the cloud's text is fixed, that text. A
// gateway error is the API gateway refusing the call (HTTP 4xx/5xx, a body
// with HostId and Recommend); a business error is Dysmsapi answering it
// (HTTP 200, Code isv.* or isp.*, no HostId). Core and services return a
// Status whose error_code() is the code; only this table decides how it goes
// on the wire.
#ifndef MNS_EMULATOR_HTTP_POP_ERRORS_H_
#define MNS_EMULATOR_HTTP_POP_ERRORS_H_

#include <string>
#include <string_view>

#include "mns/common/status.h"

namespace mns::emulator {

enum class PopErrorKind { kGateway, kBusiness };

struct PopErrorInfo {
  PopErrorKind kind;
  int http_status;
  // The cloud's text; empty when the Status carries it (it names a value).
  std::string_view message;
};

// The row for `code`. A code not in the table is a business error when it
// starts with "isv." or "isp." (the cloud's prefixes for them), else a 400
// gateway error.
PopErrorInfo PopError(std::string_view code);

// The text a client sees for `error`: its own message, else its code's
// table text.
std::string PopWireMessage(const Status& error);

// A Status for `code`, its StatusCode following the row's HTTP status, its
// message `message` (empty: the table's text is used on the wire).
Status PopErrorStatus(std::string_view code, std::string message = "");

// MissingParameter naming `name`, in the cloud's words.
Status PopMissingParameterError(const std::string& name);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_POP_ERRORS_H_
