#include "emulator/http/pop_api.h"

#include <strings.h>

#include <charconv>
#include <pugixml.hpp>

#include "emulator/core/json_text.h"
#include "emulator/http/pop_auth.h"
#include "emulator/http/pop_errors.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

// Insertion-ordered, so fields come out in the order of the docs' examples.
using json = nlohmann::ordered_json;

// RFC 4122 layout in uppercase, as the cloud's RequestIds (spec alicom §2.5).
std::string RequestId(Random& random) {
  std::string hex = random.UpperHex(32);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) +
         "-" + hex.substr(16, 4) + "-" + hex.substr(20);
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
    return PopErrorStatus("isv.INVALID_JSON_PARAM");
  }
  std::vector<std::string> out;
  for (const json& item : parsed) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if (objects_as_json && item.is_object()) {
      out.push_back(JsonText(item));
    } else {
      return PopErrorStatus("isv.INVALID_JSON_PARAM");
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
  PopParams params;
  std::string uid;

  const std::string* Param(const std::string& name) const {
    return params.Find(name);
  }
};

PopApi::PopApi(AlicomService* alicom, const CredentialStore* credentials,
               Random* random, const Clock* real_clock, PopApiOptions options)
    : alicom_(alicom),
      random_(random),
      options_(std::move(options)),
      authenticator_(credentials, real_clock, options_.policy) {}

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

RequestFacts PopApi::Describe(const HttpRequest& request) {
  RequestFacts facts{.protocol = "pop"};
  PopParams params;
  ParseFormParams(request.raw_query(), params.all);
  if (IsForm(request)) ParseFormParams(request.body, params.all);
  if (IsPopV3(request)) {
    facts.operation = request.Header("x-acs-action").value_or("");
    if (auto auth = ParseAcsAuthorization(*request.Header("Authorization"))) {
      facts.access_key_id = auth->access_key_id;
    }
  } else {
    if (const std::string* action = params.Find("Action")) {
      facts.operation = *action;
    }
    if (const std::string* key = params.Find("AccessKeyId")) {
      facts.access_key_id = *key;
    }
  }
  if (facts.operation == "QuerySendDetails") {
    if (const std::string* id = params.Find("BizId")) facts.biz_id = *id;
    if (const std::string* phone = params.Find("PhoneNumber")) {
      facts.phone_number = *phone;
    }
  }
  return facts;
}

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
    HttpResponse response = Render(call, kind.http_status,
                                   json{{"Message", PopWireMessage(error)},
                                        {"RequestId", call.request_id},
                                        {"Code", error.error_code()}},
                                   /*gateway_error=*/false);
    response.error_code = error.error_code();
    return response;
  }
  return GatewayResponse(call, kind.http_status, error);
}

HttpResponse PopApi::TransportError(int status, const std::string& code,
                                    const std::string& message,
                                    const HttpRequest& request) {
  Call call{.request_id = RequestId(*random_), .host = request.Host()};
  ParseFormParams(request.raw_query(), call.params.query);
  call.params.all = call.params.query;
  if (const std::string* format = call.Param("Format")) {
    call.xml = EqualsIgnoreCase(*format, "XML");
  }
  call.action =
      request.Header("x-acs-action")
          .value_or(call.Param("Action") ? *call.Param("Action") : "");
  return GatewayResponse(call, status, PopErrorStatus(code, message));
}

// Gateway errors carry HostId and Recommend (spec alicom §2.5).
HttpResponse PopApi::GatewayResponse(const Call& call, int status,
                                     const Status& error) const {
  const Action* action = FindAction(call.action);
  const std::string product(action ? action->product : "Dysmsapi");
  json body = {{"RequestId", call.request_id},
               {"Message", PopWireMessage(error)},
               {"HostId", call.host},
               {"Code", error.error_code()},
               {"Recommend",
                "https://api.aliyun.com/troubleshoot?q=" + error.error_code() +
                    "&product=" + product + "&requestId=" + call.request_id}};
  HttpResponse response = Render(call, status, body, /*gateway_error=*/true);
  response.error_code = error.error_code();
  return response;
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
  ParseFormParams(request.raw_query(), call.params.query);
  call.params.all = call.params.query;
  if (IsForm(request)) ParseFormParams(request.body, call.params.all);
  // Parameters end up in JSON and XML bodies, the outbox and receipts: only
  // text can go there. UNCONFIRMED: the cloud's code for such a value; this
  // is its code for a parameter it cannot accept.
  for (const auto& [name, value] : call.params.all) {
    if (!IsValidUtf8(name) || !IsValidUtf8(value)) {
      return PopErrorStatus(
          "InvalidParameter",
          "The specified parameter \"" + name + "\" is not valid UTF-8.");
    }
  }
  const bool v3 = IsPopV3(request);
  if (const std::string* format = call.Param("Format"); format && !v3) {
    call.xml = EqualsIgnoreCase(*format, "XML");
  }
  call.action = v3 ? request.Header("x-acs-action").value_or("")
                   : (call.Param("Action") ? *call.Param("Action") : "");

  MNS_ASSIGN_OR_RETURN(Principal principal,
                       authenticator_.Authenticate(request, call.params));
  auto uid = options_.uid_of_account.find(principal.account_id);
  call.uid =
      uid == options_.uid_of_account.end() ? principal.account_id : uid->second;

  const std::string version =
      v3 ? request.Header("x-acs-version").value_or("")
         : (call.Param("Version") ? *call.Param("Version") : "");
  if (call.action.empty()) return PopMissingParameterError("Action");
  if (version.empty()) return PopMissingParameterError("Version");
  const Action* action = FindAction(call.action);
  if (action == nullptr) return PopErrorStatus("InvalidAction.NotFound");
  if (version != action->version) return PopErrorStatus("InvalidVersion");
  return (this->*(action->handler))(call);
}

StatusOr<json> PopApi::SendSms(const Call& call) {
  // An empty mandatory parameter is as missing as an absent one (spec alicom
  // §2.4 step 1).
  for (const char* name : {"PhoneNumbers", "SignName", "TemplateCode"}) {
    if (call.Param(name) == nullptr || call.Param(name)->empty()) {
      return PopMissingParameterError(name);
    }
  }
  SmsSubmission request{.sign_names = {*call.Param("SignName")},
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
    if (call.Param(name) == nullptr) return PopMissingParameterError(name);
  }
  SmsSubmission request{.template_code = *call.Param("TemplateCode")};
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
    return PopErrorStatus("isv.INVALID_PARAMETERS");
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
    if (call.Param(name) == nullptr) return PopMissingParameterError(name);
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
      return PopErrorStatus("isv.INVALID_PARAMETERS");
    }
  }
  MNS_ASSIGN_OR_RETURN(SmsRecordPage page, alicom_->QuerySendDetails(query));
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
  if (type == nullptr || type->empty())
    return PopMissingParameterError("MessageType");
  const std::string* queue = call.Param("QueueName");
  MNS_ASSIGN_OR_RETURN(
      IssuedToken token,
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
