// The one table of MNS error codes (spec mns §6.2): each code's HTTP status
// and, where the cloud's text is fixed, that text. Core and services return
// a Status with the code; the text a client sees comes from here, or, for
// codes whose text names a value (InvalidArgument), from the Status.
#ifndef MNS_EMULATOR_HTTP_MNS_ERRORS_H_
#define MNS_EMULATOR_HTTP_MNS_ERRORS_H_

#include <string>
#include <string_view>

#include "mns/common/status.h"

namespace mns::emulator {

struct MnsErrorInfo {
  int http_status;
  // The cloud's text; empty when the Status carries it.
  std::string_view message;
};

// The row for `code`; a code not in the table is a 400 with its own text.
MnsErrorInfo MnsError(std::string_view code);

// The text a client sees for `error`: its own message, else its code's
// table text.
std::string WireMessage(const Status& error);

// A Status for a fixed-text code: `code` and its table text.
Status MnsErrorStatus(StatusCode status_code, std::string_view code);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_MNS_ERRORS_H_
