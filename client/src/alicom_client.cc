#include "mns/alicom_client.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "client/src/client_core.h"
#include "client/src/pop_signer.h"
#include "client/src/retry.h"
#include "client/src/transport.h"
#include "mns/common/random.h"
#include "mns/common/time_format.h"

namespace mns {
namespace {

using internal::HttpReply;
using nlohmann::json;

constexpr char kVersion[] = "2017-05-25";

std::string StringField(const json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string JsonArray(const std::vector<std::string>& values, bool objects) {
  json array = json::array();
  for (const auto& v : values) {
    if (objects) {
      array.push_back(json::parse(v, nullptr, /*allow_exceptions=*/false));
    } else {
      array.push_back(v);
    }
  }
  return array.dump();
}

}  // namespace

std::string BeijingSendDate(TimePoint t) {
  std::string date = FormatBeijingTime(t).substr(0, 10);  // yyyy-MM-dd
  return date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
}

struct AlicomClient::Impl : internal::ClientCore {
  using ClientCore::ClientCore;

  // Calls `action` with V1 signing over GET and returns the JSON body of a
  // successful reply; gateway and business errors become Status values.
  StatusOr<json> Call(const std::string& action,
                      std::map<std::string, std::string> params,
                      bool retryable);
};

StatusOr<json> AlicomClient::Impl::Call(
    const std::string& action, std::map<std::string, std::string> params,
    bool retryable) {
  params["Action"] = action;
  params["Version"] = kVersion;
  auto reply = internal::WithRetries(
      options.retry, retryable, *clock, random, [&]() -> internal::Attempt {
        auto creds = options.credentials->Get();
        if (!creds.ok()) return {creds.status(), false};
        // Signed anew on each try: a fresh nonce and timestamp.
        auto sent = transport->Send(
            {.method = "GET",
             .target =
                 "/?" + internal::PopV1SignedQuery(
                            params, *creds, random.UpperHex(32), clock->Now()),
             .read_timeout = options.read_timeout});
        if (!sent.ok()) return {sent.status(), true};
        const json body = json::parse(sent->body, nullptr, false);
        const std::string code =
            body.is_object() ? StringField(body, "Code") : std::string();
        const bool throttled = code.find("Throttling") != std::string::npos;
        return {std::move(sent), sent->status >= 500 || throttled};
      });
  if (!reply.ok()) return reply.status();
  json body = json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) {
    return Status(StatusCodeForHttpStatus(reply->status),
                  "unexpected reply (HTTP " + std::to_string(reply->status) +
                      "): " + reply->body.substr(0, 200))
        .set_request_id(reply->Header("x-acs-request-id"));
  }
  const std::string code = StringField(body, "Code");
  const std::string request_id = StringField(body, "RequestId");
  if (reply->status < 200 || reply->status >= 300) {
    return Status(StatusCodeForHttpStatus(reply->status),
                  StringField(body, "Message"), code)
        .set_request_id(request_id);
  }
  // Business errors come with HTTP 200 (spec alicom §6.4).
  if (!code.empty() && code != "OK") {
    return Status(StatusCode::kFailedPrecondition, StringField(body, "Message"),
                  code)
        .set_request_id(request_id);
  }
  return body;
}

AlicomClient::AlicomClient(ClientOptions options)
    : AlicomClient(std::move(options), nullptr) {}

AlicomClient::AlicomClient(ClientOptions options,
                           std::shared_ptr<internal::Transport> transport)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transport))) {}

AlicomClient::~AlicomClient() = default;

StatusOr<MessageToken> AlicomClient::QueryTokenForMnsQueue(
    const std::string& message_type, const std::string& queue_name) {
  std::map<std::string, std::string> params = {{"MessageType", message_type}};
  if (!queue_name.empty()) params["QueueName"] = queue_name;
  MNS_ASSIGN_OR_RETURN(json body,
                       impl_->Call("QueryTokenForMnsQueue", params, true));
  const json dto = body.value("MessageTokenDTO", json::object());
  // ExpireTime is Beijing wall-clock time, whatever this host's zone (spec
  // alicom §3): parsed as such, never as local time.
  auto create = ParseBeijingTime(StringField(dto, "CreateTime"));
  auto expire = ParseBeijingTime(StringField(dto, "ExpireTime"));
  MessageToken token{.access_key_id = StringField(dto, "AccessKeyId"),
                     .access_key_secret = StringField(dto, "AccessKeySecret"),
                     .security_token = StringField(dto, "SecurityToken")};
  if (token.access_key_id.empty() || token.access_key_secret.empty() ||
      token.security_token.empty() || !expire) {
    return Status(StatusCode::kInternal,
                  "QueryTokenForMnsQueue returned an incomplete token")
        .set_request_id(StringField(body, "RequestId"));
  }
  token.expire_time = *expire;
  token.create_time = create.value_or(*expire);
  return token;
}

StatusOr<SendSmsResult> AlicomClient::SendSms(const SendSmsRequest& request) {
  std::string numbers;
  for (const auto& n : request.phone_numbers) {
    numbers += (numbers.empty() ? "" : ",") + n;
  }
  std::map<std::string, std::string> params = {
      {"PhoneNumbers", numbers},
      {"SignName", request.sign_name},
      {"TemplateCode", request.template_code}};
  if (!request.template_param.empty())
    params["TemplateParam"] = request.template_param;
  if (!request.sms_up_extend_code.empty()) {
    params["SmsUpExtendCode"] = request.sms_up_extend_code;
  }
  if (!request.out_id.empty()) params["OutId"] = request.out_id;
  MNS_ASSIGN_OR_RETURN(json body, impl_->Call("SendSms", params,
                                              impl_->options.retry.retry_send));
  return SendSmsResult{StringField(body, "BizId"),
                       StringField(body, "RequestId")};
}

StatusOr<SendSmsResult> AlicomClient::SendBatchSms(
    const SendBatchSmsRequest& request) {
  std::map<std::string, std::string> params = {
      {"PhoneNumberJson", JsonArray(request.phone_numbers, false)},
      {"SignNameJson", JsonArray(request.sign_names, false)},
      {"TemplateCode", request.template_code}};
  if (!request.template_params.empty()) {
    params["TemplateParamJson"] = JsonArray(request.template_params, true);
  }
  if (!request.sms_up_extend_codes.empty()) {
    params["SmsUpExtendCodeJson"] =
        JsonArray(request.sms_up_extend_codes, false);
  }
  if (!request.out_id.empty()) params["OutId"] = request.out_id;
  MNS_ASSIGN_OR_RETURN(json body, impl_->Call("SendBatchSms", params,
                                              impl_->options.retry.retry_send));
  return SendSmsResult{StringField(body, "BizId"),
                       StringField(body, "RequestId")};
}

StatusOr<SendDetailsPage> AlicomClient::QuerySendDetails(
    const QuerySendDetailsRequest& request) {
  std::map<std::string, std::string> params = {
      {"PhoneNumber", request.phone_number},
      {"SendDate", request.send_date},
      {"PageSize", std::to_string(request.page_size)},
      {"CurrentPage", std::to_string(request.current_page)}};
  if (!request.biz_id.empty()) params["BizId"] = request.biz_id;
  MNS_ASSIGN_OR_RETURN(json body,
                       impl_->Call("QuerySendDetails", params, true));
  SendDetailsPage page;
  // TotalCount is a number in the docs' example and a string in the Tea
  // models (spec alicom §6.3): accept both.
  const std::string total = StringField(body, "TotalCount");
  std::from_chars(total.data(), total.data() + total.size(), page.total_count);
  const json list = body.value("SmsSendDetailDTOs", json::object())
                        .value("SmsSendDetailDTO", json::array());
  for (const json& d : list) {
    const std::string status = StringField(d, "SendStatus");
    page.details.push_back(
        SmsSendDetail{.phone_number = StringField(d, "PhoneNum"),
                      .send_status = status == "3"   ? SendStatus::kDelivered
                                     : status == "2" ? SendStatus::kFailed
                                                     : SendStatus::kWaiting,
                      .err_code = StringField(d, "ErrCode"),
                      .template_code = StringField(d, "TemplateCode"),
                      .content = StringField(d, "Content"),
                      .out_id = StringField(d, "OutId"),
                      .send_date = StringField(d, "SendDate"),
                      .receive_date = StringField(d, "ReceiveDate")});
  }
  return page;
}

}  // namespace mns
