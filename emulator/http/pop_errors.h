// The one table of POP error codes (spec alicom §2.5, §6.4): each code's
// kind and HTTP status. A gateway error is the API gateway refusing the
// call (HTTP 4xx/5xx, a body with HostId and Recommend); a business error is
// Dysmsapi answering it (HTTP 200, Code isv.* or isp.*, no HostId). Services
// return a Status whose error_code() is the code; only this table decides
// how it goes on the wire.
#ifndef MNS_EMULATOR_HTTP_POP_ERRORS_H_
#define MNS_EMULATOR_HTTP_POP_ERRORS_H_

#include <string_view>

namespace mns::emulator {

enum class PopErrorKind { kGateway, kBusiness };

struct PopErrorInfo {
  PopErrorKind kind;
  int http_status;
};

// The row for `code`. A code not in the table is a business error when it
// starts with "isv." or "isp." (the cloud's prefixes for them), else a 400
// gateway error.
PopErrorInfo PopError(std::string_view code);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_POP_ERRORS_H_
