// Typed Alicom receipt bodies (spec alicom §5.2, §5.3) and their parsers.
// Plain values; the parsers are pure and thread-safe.
#ifndef MNS_CLIENT_RECEIPTS_H_
#define MNS_CLIENT_RECEIPTS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "mns/common/status.h"

namespace mns {

// A delivery receipt. Times are "yyyy-MM-dd HH:mm:ss", Beijing.
struct SmsReport {
  std::string phone_number;
  bool success = false;
  std::string biz_id;
  std::string out_id;
  std::string send_time;
  std::string report_time;
  std::string err_code;  // "DELIVERED" on success
  std::string err_msg;
  int64_t sms_size = 1;
};

// A user's reply.
struct SmsUp {
  std::string phone_number;
  std::string send_time;
  std::string content;
  std::string sign_name;
  std::string dest_code;  // the SmsUpExtendCode of the send replied to
  int64_t sequence_id = 0;
};

// From the decoded JSON text of a message body. DataLoss when it is not a
// receipt: not JSON, or a required field missing or of the wrong type.
StatusOr<SmsReport> ParseSmsReport(std::string_view json);
StatusOr<SmsUp> ParseSmsUp(std::string_view json);

}  // namespace mns

#endif  // MNS_CLIENT_RECEIPTS_H_
