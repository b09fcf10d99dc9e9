// AlicomClient: the POP RPC APIs of the SMS receipt flow (spec alicom §3,
// §6): Dybaseapi QueryTokenForMnsQueue and Dysmsapi SendSms, SendBatchSms and
// QuerySendDetails, signed with signature V1.
//
// Results are typed. Gateway errors (HTTP 4xx/5xx) and business errors (HTTP
// 200 with a Code other than OK, e.g. isv.BUSINESS_LIMIT_CONTROL) both come
// back as a non-OK Status carrying the code, the message and the request id.
// QueryTokenForMnsQueue and QuerySendDetails are retried per the policy;
// sends only when RetryPolicy::retry_send is set. Thread-safe.
#ifndef MNS_CLIENT_ALICOM_CLIENT_H_
#define MNS_CLIENT_ALICOM_CLIENT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/status.h"
#include "mns/options.h"

namespace mns {

namespace internal {
class Transport;
}

// QueryTokenForMnsQueue's MessageTokenDTO; times parsed from Beijing time.
struct MessageToken {
  std::string access_key_id;
  std::string access_key_secret;
  std::string security_token;
  TimePoint create_time;
  TimePoint expire_time;
};

struct SendSmsRequest {
  std::vector<std::string> phone_numbers;
  std::string sign_name;
  std::string template_code;
  std::string template_param;  // a JSON object, e.g. {"code":"1234"}
  std::string sms_up_extend_code;
  std::string out_id;
};

// One entry per phone number; sign names and parameters per number.
struct SendBatchSmsRequest {
  std::vector<std::string> phone_numbers;
  std::vector<std::string> sign_names;
  std::string template_code;
  std::vector<std::string> template_params;  // JSON objects, or none
  std::vector<std::string> sms_up_extend_codes;
  std::string out_id;
};

struct SendSmsResult {
  std::string biz_id;
  std::string request_id;
};

struct QuerySendDetailsRequest {
  std::string phone_number;
  // The Beijing calendar day of the send, "yyyyMMdd" (see BeijingSendDate).
  std::string send_date;
  int64_t page_size = 50;
  int64_t current_page = 1;
  std::string biz_id;
};

enum class SendStatus { kWaiting = 1, kFailed = 2, kDelivered = 3 };

struct SmsSendDetail {
  std::string phone_number;
  SendStatus send_status = SendStatus::kWaiting;
  std::string err_code;  // "DELIVRD" when delivered
  std::string template_code;
  std::string content;
  std::string out_id;
  std::string send_date;     // "yyyy-MM-dd HH:mm:ss", Beijing
  std::string receive_date;  // empty while waiting
};

struct SendDetailsPage {
  int64_t total_count = 0;
  std::vector<SmsSendDetail> details;
};

// "yyyyMMdd" of `t` in Beijing, as QuerySendDetails' SendDate wants it.
std::string BeijingSendDate(TimePoint t);

class AlicomClient {
 public:
  explicit AlicomClient(ClientOptions options);
  AlicomClient(ClientOptions options,
               std::shared_ptr<internal::Transport> transport);
  ~AlicomClient();
  AlicomClient(const AlicomClient&) = delete;
  AlicomClient& operator=(const AlicomClient&) = delete;

  StatusOr<MessageToken> QueryTokenForMnsQueue(
      const std::string& message_type, const std::string& queue_name = "");
  StatusOr<SendSmsResult> SendSms(const SendSmsRequest& request);
  StatusOr<SendSmsResult> SendBatchSms(const SendBatchSmsRequest& request);
  StatusOr<SendDetailsPage> QuerySendDetails(
      const QuerySendDetailsRequest& request);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mns

#endif  // MNS_CLIENT_ALICOM_CLIENT_H_
