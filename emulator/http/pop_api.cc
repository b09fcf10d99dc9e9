#include "emulator/http/pop_api.h"

#include <strings.h>

#include <charconv>
#include <pugixml.hpp>

#include "client/common/crypto.h"
#include "client/common/strings.h"
#include "client/common/time_format.h"
#include "emulator/core/json_text.h"
#include "emulator/http/pop_auth.h"
#include "emulator/http/pop_errors.h"

namespace mns::emulator {
namespace {

// Insertion-ordered, so fields come out in the order of the docs' examples.
using json = nlohmann::ordered_json;

// Gateway errors carry their HTTP status in the table of spec alicom §2.5.
Status GatewayError(const std::string& code, const std::string& message) {
  return Status(StatusCode::kInvalidArgument, message, code);
}

Status Missing(const std::string& name) {
  return GatewayError("MissingParameter",
                      "The input parameter \"" + name +
                          "\" that is mandatory for processing this request "
                          "is not supplied.");
}

// RFC 4122 layout in uppercase, as the cloud's RequestIds (spec alicom §2.5).
std::string RequestId(Random& random) {
  std::string hex = random.UpperHex(32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
}

// Timestamps come as yyyy-MM-ddTHH:mm:ssZ; fractional seconds are accepted
// too (spec alicom §9 leaves it open).
std::optional<TimePoint> ParseTimestamp(std::string text) {
  size_t dot = text.find('.');
  if (dot != std::string::npos && !text.empty() && text.back() == 'Z') {
    text = text.substr(0, dot) + "Z";
  }
  return ParseIso8601(text);
}

void AppendXml(pugi::xml_node parent, const std::string& name,
               const json& value) {
  if (value.is_array()) {
    for (const json& item : value) AppendXml(parent, name, item);
    return;
  }
  pugi::xml_node node = parent.append_child(name.c_str());
  if (value.is_object()) {
    for (const auto& [key, child] : value.items()) AppendXml(node, key, child);
  } else if (value.is_string()) {
    node.text().set(value.get<std::string>().c_str());
  } else {
    node.text().set(JsonText(value).c_str());
  }
}

std::string ToXml(const std::string& root, const json& body) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  pugi::xml_node node = doc.append_child(root.c_str());
  for (const auto& [key, value] : body.items()) AppendXml(node, key, value);
  struct Writer : pugi::xml_writer {
    std::string text;
    void write(const void* data, size_t size) override {
      text.append(static_cast<const char*>(data), size);
    }
  } writer;
  doc.save(writer, "", pugi::format_raw | pugi::format_no_empty_element_tags,
           pugi::encoding_utf8);
  return writer.text;
}

StatusOr<std::vector<std::string>> JsonStringArray(const std::string& text,
                                                   bool objects_as_json) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    return Status(StatusCode::kFailedPrecondition,
                  "JSON参数不合法，只接受字符串值", "isv.INVALID_JSON_PARAM");
  }
  std::vector<std::string> out;
  for (const json& item : parsed) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (objects_as_json && item.is_object()) {
      out.push_back(JsonText(item));
    } else {
      return Status(StatusCode::kFailedPrecondition,
                    "JSON参数不合法，只接受字符串值", "isv.INVALID_JSON_PARAM");
    }
  }
  return out;
}

// POST bodies carry parameters only as a form (spec alicom §2.2).
bool IsForm(const HttpRequest& request) {
  return StartsWithIgnoreCase(request.Header("Content-Type").value_or(""),
                              "application/x-www-form-urlencoded");
}

}  // namespace

struct PopApi::Call {
  std::string request_id;
  std::string host;
  std::string action;
  bool xml = false;
  std::map<std::string, std::string> params;  // query + form, decoded
  std::map<std::string, std::string> query;   // query only, for V3
  std::string uid;

  const std::string* Param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? nullptr : &it->second;
  }
};

PopApi::PopApi(AlicomService* alicom, const CredentialStore* credentials,
               Random* random, const Clock* real_clock, PopApiOptions options)
    : alicom_(alicom),
      credentials_(credentials),
      random_(random),
      real_clock_(real_clock),
      options_(std::move(options)) {}

bool PopApi::IsPopRequest(const HttpRequest& request) {
  if (request.Header("x-acs-action")) return true;
  std::map<std::string, std::string> query;
  ParseFormParams(request.raw_query(), query);
  if (query.count("Action") > 0) return true;
  // MNS bodies are XML; a form is POP even when its body was never read (a
  // request refused for its size).
  return IsForm(request) && !request.path().starts_with("/queues") &&
         !request.path().starts_with("/topics");
}

// Every POP action the emulator serves, with its product and API version
// (spec alicom §2, §3, §6), in one place: adding one is a row and a
// handler.
const PopApi::Action PopApi::kActions[] = {
    {"SendSms", "Dysmsapi", "2017-05-25", &PopApi::SendSms},
    {"SendBatchSms", "Dysmsapi", "2017-05-25", &PopApi::SendBatchSms},
    {"QuerySendDetails", "Dysmsapi", "2017-05-25", &PopApi::QuerySendDetails},
    {"QueryTokenForMnsQueue", "Dybaseapi", "2017-05-25",
     &PopApi::QueryTokenForMnsQueue},
};

const PopApi::Action* PopApi::FindAction(std::string_view name) {
  for (const Action& action : kActions) {
    if (action.name == name) return &action;
  }
  return nullptr;
}

HttpResponse PopApi::Handle(const HttpRequest& request) {
  Call call{.request_id = RequestId(*random_), .host = request.Host()};
  StatusOr<json> result = Dispatch(request, call);
  if (result.ok()) return Render(call, 200, *result, /*gateway_error=*/false);
  const Status& error = result.status();
  const PopErrorInfo kind = PopError(error.error_code());
  // Business errors (isv.*, isp.*) are HTTP 200 with no HostId (spec
  // alicom §6.4). Field order follows the docs' examples.
  if (kind.kind == PopErrorKind::kBusiness) {
    return Render(call, kind.http_status,
                  json{{"Message", error.message()},
                       {"RequestId", call.request_id},
                       {"Code", error.error_code()}},
                  /*gateway_error=*/false);
  }
  return GatewayResponse(call, kind.http_status, error);
}

HttpResponse PopApi::TransportError(int status, const std::string& code,
                                    const std::string& message,
                                    const HttpRequest& request) {
  Call call{.request_id = RequestId(*random_), .host = request.Host()};
  ParseFormParams(request.raw_query(), call.query);
  call.params = call.query;
  if (const std::string* format = call.Param("Format")) {
    call.xml = EqualsIgnoreCase(*format, "XML");
  }
  call.action =
      request.Header("x-acs-action")
          .value_or(call.Param("Action") ? *call.Param("Action") : "");
  return GatewayResponse(call, status,
                         Status(StatusCode::kInvalidArgument, message, code));
}

// Gateway errors carry HostId and Recommend (spec alicom §2.5).
HttpResponse PopApi::GatewayResponse(const Call& call, int status,
                                     const Status& error) const {
  const Action* action = FindAction(call.action);
  const std::string product(action ? action->product : "Dysmsapi");
  json body = {{"RequestId", call.request_id},
               {"Message", error.message()},
               {"HostId", call.host},
               {"Code", error.error_code()},
               {"Recommend",
                "https://api.aliyun.com/troubleshoot?q=" + error.error_code() +
                    "&product=" + product + "&requestId=" + call.request_id}};
  return Render(call, status, body, /*gateway_error=*/true);
}

HttpResponse PopApi::Render(const Call& call, int status, const json& body,
                            bool gateway_error) const {
  HttpResponse response;
  response.status = status;
  if (call.xml) {
    response.SetHeader("Content-Type", "text/xml;charset=utf-8");
    response.body =
        ToXml(gateway_error ? "Error" : call.action + "Response", body);
  } else {
    response.SetHeader("Content-Type", "application/json;charset=utf-8");
    response.body = JsonText(body);
  }
  response.SetHeader("x-acs-request-id", call.request_id);
  return response;
}

StatusOr<json> PopApi::Dispatch(const HttpRequest& request, Call& call) {
  ParseFormParams(request.raw_query(), call.query);
  call.params = call.query;
  if (IsForm(request)) ParseFormParams(request.body, call.params);
  // Parameters end up in JSON and XML bodies, the outbox and receipts: only
  // text can go there. UNCONFIRMED: the cloud's code for such a value; this
  // is its code for a parameter it cannot accept.
  for (const auto& [name, value] : call.params) {
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      return GatewayError(
          "InvalidParameter",
          "The specified parameter \"" + name + "\" is not valid UTF-8.");
    }
  }
  const bool v3 = request.Header("Authorization")
                      .value_or("")
                      .starts_with("ACS3-HMAC-SHA256");
  if (const std::string* format = call.Param("Format"); format && !v3) {
    call.xml = EqualsIgnoreCase(*format, "XML");
  }
  call.action = v3 ? request.Header("x-acs-action").value_or("")
                   : (call.Param("Action") ? *call.Param("Action") : "");

  Principal principal;
  if (options_.policy.mode == AuthMode::kOff) {
    principal.account_id = options_.policy.default_account;
    const std::string* key = call.Param("AccessKeyId");
    if (key != nullptr) {
      if (auto found = credentials_->Lookup(*key); found.ok()) {
        principal = *found;
      }
    }
  } else if (v3) {
    MNS_ASSIGN_OR_RETURN(principal, AuthenticateV3(request, call));
  } else {
    MNS_ASSIGN_OR_RETURN(principal, AuthenticateV1(request, call));
  }
  auto uid = options_.uid_of_account.find(principal.account_id);
  call.uid =
      uid == options_.uid_of_account.end() ? principal.account_id : uid->second;

  const std::string version =
      v3 ? request.Header("x-acs-version").value_or("")
         : (call.Param("Version") ? *call.Param("Version") : "");
  if (call.action.empty()) return Missing("Action");
  if (version.empty()) return Missing("Version");
  const Action* action = FindAction(call.action);
  if (action == nullptr) {
    return GatewayError(
        "InvalidAction.NotFound",
        "Specified api is not found, please check your url and method.");
  }
  if (version != action->version) {
    return GatewayError("InvalidVersion",
                        "Specified parameter Version is not valid.");
  }
  return (this->*(action->handler))(call);
}

StatusOr<Principal> PopApi::AuthenticateV1(const HttpRequest& request,
                                           Call& call) {
  for (const char* name : {"AccessKeyId", "Signature", "SignatureNonce",
                           "Timestamp", "Action", "Version"}) {
    if (call.Param(name) == nullptr) return Missing(name);
  }
  if (!ParseTimestamp(*call.Param("Timestamp"))) {
    return GatewayError(
        "InvalidTimeStamp.Format",
        "Specified time stamp or date value is not well formatted.");
  }
  auto principal = credentials_->Lookup(*call.Param("AccessKeyId"));
  if (!principal.ok() || principal->temporary()) {
    return GatewayError("InvalidAccessKeyId.NotFound",
                        "Specified access key is not found.");
  }
  if (!options_.policy.WithinSkew(real_clock_->Now(),
                                  *ParseTimestamp(*call.Param("Timestamp")))) {
    return GatewayError("InvalidTimeStamp.Expired",
                        "Specified time stamp or date value is expired.");
  }
  const std::string string_to_sign =
      PopV1StringToSign(request.method, call.params);
  if (PopV1Signature(principal->access_key_secret, string_to_sign) !=
      *call.Param("Signature")) {
    MNS_RETURN_IF_ERROR(
        SignatureMismatch(string_to_sign, principal->access_key_id));
  }
  MNS_RETURN_IF_ERROR(CheckNonce(*call.Param("SignatureNonce")));
  return principal;
}

StatusOr<Principal> PopApi::AuthenticateV3(const HttpRequest& request,
                                           Call& call) {
  auto auth = ParseAcsAuthorization(request.Header("Authorization").value());
  if (!auth) {
    return GatewayError("IncompleteSignature",
                        "The request signature does not conform to Aliyun "
                        "standards.");
  }
  for (const char* name : {"x-acs-action", "x-acs-version", "x-acs-date",
                           "x-acs-signature-nonce"}) {
    if (!request.Header(name)) return Missing(name);
  }
  const std::string date = *request.Header("x-acs-date");
  if (!ParseTimestamp(date)) {
    return GatewayError(
        "InvalidTimeStamp.Format",
        "Specified time stamp or date value is not well formatted.");
  }
  auto principal = credentials_->Lookup(auth->access_key_id);
  if (!principal.ok() || principal->temporary()) {
    return GatewayError("InvalidAccessKeyId.NotFound",
                        "Specified access key is not found.");
  }
  if (!options_.policy.WithinSkew(real_clock_->Now(), *ParseTimestamp(date))) {
    return GatewayError("InvalidTimeStamp.Expired",
                        "Specified time stamp or date value is expired.");
  }
  if (auto hash = request.Header("x-acs-content-sha256");
      hash && *hash != HexLower(Sha256(request.body))) {
    return GatewayError("ContentSHA256NotMatched",
                        "The x-acs-content-sha256 header does not match the "
                        "body.");
  }
  const std::string string_to_sign = PopV3StringToSign(
      PopV3CanonicalRequest(request, call.query, auth->signed_headers));
  if (PopV3Signature(principal->access_key_secret, string_to_sign) !=
      auth->signature) {
    MNS_RETURN_IF_ERROR(
        SignatureMismatch(string_to_sign, principal->access_key_id));
  }
  MNS_RETURN_IF_ERROR(CheckNonce(*request.Header("x-acs-signature-nonce")));
  return principal;
}

Status PopApi::SignatureMismatch(const std::string& string_to_sign,
                                 const std::string& access_key_id) {
  if (!options_.policy.RefusesBadSignature("a bad POP signature from " +
                                           access_key_id)) {
    return OkStatus();
  }
  // Java and Go compare this suffix with their own string to sign (spec
  // alicom §2.5): it must be exact.
  return GatewayError("SignatureDoesNotMatch",
                      "Specified signature is not matched with our "
                      "calculation. server string to sign is:" +
                          string_to_sign);
}

Status PopApi::CheckNonce(const std::string& nonce) {
  const TimePoint now = real_clock_->Now();
  std::lock_guard<std::mutex> lock(nonce_mutex_);
  // A nonce older than the skew window cannot be replayed anyway: its
  // Timestamp would be refused.
  while (!nonce_order_.empty() && now - nonce_order_.front().first >
                                      options_.policy.max_clock_skew * 2) {
    nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  if (!nonces_.insert(nonce).second) {
    return GatewayError("SignatureNonceUsed",
                        "Specified signature nonce was used already.");
  }
  nonce_order_.emplace_back(now, nonce);
  return OkStatus();
}

StatusOr<json> PopApi::SendSms(const Call& call) {
  // An empty mandatory parameter is as missing as an absent one (spec alicom
  // §2.4 step 1).
  for (const char* name : {"PhoneNumbers", "SignName", "TemplateCode"}) {
    if (call.Param(name) == nullptr || call.Param(name)->empty()) {
      return Missing(name);
    }
  }
  SendSmsRequest request{.sign_names = {*call.Param("SignName")},
                         .template_code = *call.Param("TemplateCode")};
  std::string_view numbers = *call.Param("PhoneNumbers");
  while (!numbers.empty()) {
    size_t comma = numbers.find(',');
    request.phone_numbers.emplace_back(numbers.substr(0, comma));
    numbers = comma == std::string_view::npos ? std::string_view()
                                              : numbers.substr(comma + 1);
  }
  if (const auto* p = call.Param("TemplateParam")) {
    request.template_params = {*p};
  }
  if (const auto* p = call.Param("SmsUpExtendCode")) {
    request.up_extend_codes = {*p};
  }
  if (const auto* p = call.Param("OutId")) request.out_id = *p;
  MNS_ASSIGN_OR_RETURN(std::string biz_id, alicom_->SendSms(call.uid, request));
  return json{{"Message", "OK"},
              {"RequestId", call.request_id},
              {"BizId", biz_id},
              {"Code", "OK"}};
}

StatusOr<json> PopApi::SendBatchSms(const Call& call) {
  for (const char* name : {"PhoneNumberJson", "SignNameJson", "TemplateCode"}) {
    if (call.Param(name) == nullptr) return Missing(name);
  }
  SendSmsRequest request{.template_code = *call.Param("TemplateCode")};
  MNS_ASSIGN_OR_RETURN(request.phone_numbers,
                       JsonStringArray(*call.Param("PhoneNumberJson"), false));
  MNS_ASSIGN_OR_RETURN(request.sign_names,
                       JsonStringArray(*call.Param("SignNameJson"), false));
  if (const auto* p = call.Param("TemplateParamJson")) {
    MNS_ASSIGN_OR_RETURN(request.template_params, JsonStringArray(*p, true));
  }
  if (const auto* p = call.Param("SmsUpExtendCodeJson")) {
    MNS_ASSIGN_OR_RETURN(request.up_extend_codes, JsonStringArray(*p, false));
  }
  if (const auto* p = call.Param("OutId")) request.out_id = *p;
  const size_t n = request.phone_numbers.size();
  auto same_length = [n](const std::vector<std::string>& v) {
    return v.empty() || v.size() == n;
  };
  // SendBatchSms takes at most 100 numbers, each with its own sign (spec
  // alicom §6.2).
  if (n == 0 || n > 100 || request.sign_names.size() != n ||
      !same_length(request.template_params) ||
      !same_length(request.up_extend_codes)) {
    return Status(StatusCode::kFailedPrecondition, "参数异常",
                  "isv.INVALID_PARAMETERS");
  }
  MNS_ASSIGN_OR_RETURN(std::string biz_id, alicom_->SendSms(call.uid, request));
  return json{{"Message", "OK"},
              {"RequestId", call.request_id},
              {"BizId", biz_id},
              {"Code", "OK"}};
}

StatusOr<json> PopApi::QuerySendDetails(const Call& call) {
  for (const char* name :
       {"PhoneNumber", "SendDate", "PageSize", "CurrentPage"}) {
    if (call.Param(name) == nullptr) return Missing(name);
  }
  SendDetailsQuery query{.account = call.uid,
                         .phone_number = *call.Param("PhoneNumber"),
                         .send_date = *call.Param("SendDate")};
  if (const auto* p = call.Param("BizId")) query.biz_id = *p;
  for (auto [name, target] : {std::pair{"PageSize", &query.page_size},
                              std::pair{"CurrentPage", &query.current_page}}) {
    const std::string& text = *call.Param(name);
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), *target);
    if (ec != std::errc() || end != text.data() + text.size()) {
      return Status(StatusCode::kFailedPrecondition, "参数异常",
                    "isv.INVALID_PARAMETERS");
    }
  }
  MNS_ASSIGN_OR_RETURN(SendDetailsPage page, alicom_->QuerySendDetails(query));
  json details = json::array();
  for (const SmsRecord& r : page.records) {
    json dto = {{"PhoneNum", r.phone_number},
                {"SendStatus", r.send_status},
                {"SendDate", FormatBeijingTime(r.send_time)},
                {"TemplateCode", r.template_code},
                {"Content", r.content},
                {"OutId", r.out_id},
                {"ErrCode", r.err_code}};
    if (r.receive_time) dto["ReceiveDate"] = FormatBeijingTime(*r.receive_time);
    details.push_back(std::move(dto));
  }
  // An empty result keeps the same shape: TotalCount 0 and an empty list.
  return json{{"TotalCount", page.total_count},
              {"Message", "OK"},
              {"RequestId", call.request_id},
              {"Code", "OK"},
              {"SmsSendDetailDTOs", {{"SmsSendDetailDTO", details}}}};
}

StatusOr<json> PopApi::QueryTokenForMnsQueue(const Call& call) {
  const std::string* type = call.Param("MessageType");
  if (type == nullptr || type->empty()) return Missing("MessageType");
  const std::string* queue = call.Param("QueueName");
  MNS_ASSIGN_OR_RETURN(
      MessageToken token,
      alicom_->QueryTokenForMnsQueue(call.uid, *type, queue ? *queue : ""));
  // All five fields are strings; the times are Beijing wall-clock time
  // whatever the host's zone (spec alicom §3).
  return json{{"RequestId", call.request_id},
              {"Code", "OK"},
              {"Message", "OK"},
              {"MessageTokenDTO",
               {{"AccessKeyId", token.access_key_id},
                {"AccessKeySecret", token.access_key_secret},
                {"SecurityToken", token.security_token},
                {"CreateTime", FormatBeijingTime(token.create_time)},
                {"ExpireTime", FormatBeijingTime(token.expire_time)}}}};
}

}  // namespace mns::emulator
