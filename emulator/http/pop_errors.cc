#include "emulator/http/pop_errors.h"

#include <algorithm>
#include <iterator>

namespace mns::emulator {
namespace {

struct Row {
  std::string_view code;
  PopErrorInfo info;
};

constexpr PopErrorKind kGateway = PopErrorKind::kGateway;
constexpr PopErrorKind kBusiness = PopErrorKind::kBusiness;

// Statuses marked [U] in spec alicom §2.5 are the most likely ones. Texts
// are the cloud's, as quoted in spec alicom §2.5 and §6.4, except where
// marked UNCONFIRMED; the gateway codes whose text names a parameter or
// echoes the string to sign carry it in their Status instead.
constexpr Row kRows[] = {
    {"SignatureDoesNotMatch", {kGateway, 400, ""}},
    {"IncompleteSignature",
     {kGateway, 400,
      "The request signature does not conform to Aliyun standards."}},
    {"InvalidAccessKeyId.NotFound",
     {kGateway, 404, "Specified access key is not found."}},
    {"InvalidTimeStamp.Expired",
     {kGateway, 400, "Specified time stamp or date value is expired."}},
    {"InvalidTimeStamp.Format",
     {kGateway, 400,
      "Specified time stamp or date value is not well formatted."}},
    {"SignatureNonceUsed",
     {kGateway, 400, "Specified signature nonce was used already."}},
    {"ContentSHA256NotMatched",
     {kGateway, 400,
      "The x-acs-content-sha256 header does not match the body."}},
    {"MissingParameter", {kGateway, 400, ""}},
    {"InvalidParameter", {kGateway, 400, ""}},
    {"InvalidVersion",
     {kGateway, 400, "Specified parameter Version is not valid."}},
    {"InvalidAction.NotFound",
     {kGateway, 404,
      "Specified api is not found, please check your url and method."}},
    {"Forbidden.RAM", {kGateway, 403, ""}},
    {"Throttling.User",
     {kGateway, 400, "Request was denied due to user flow control."}},
    // UNCONFIRMED texts (not quoted in the spec): the wording of Alibaba
    // Cloud's common gateway errors; a fault rule shows them.
    {"InternalError",
     {kGateway, 500,
      "The request processing has failed due to some unknown error."}},
    {"ServiceUnavailable",
     {kGateway, 503,
      "The request has failed due to a temporary failure of the server."}},
    // The cloud's flow-control text (from nocobase/nocobase#778).
    {"isv.BUSINESS_LIMIT_CONTROL", {kBusiness, 200, "触发分钟级流控Permits:1"}},
    {"isv.INVALID_JSON_PARAM",
     {kBusiness, 200, "JSON参数不合法，只接受字符串值"}},
    {"isv.INVALID_PARAMETERS", {kBusiness, 200, "参数异常"}},
    {"isv.MOBILE_COUNT_OVER_LIMIT", {kBusiness, 200, "手机号码数量超过限制"}},
    {"isv.MOBILE_NUMBER_ILLEGAL", {kBusiness, 200, "非法手机号"}},
    {"isv.SMS_SIGNATURE_ILLEGAL", {kBusiness, 200, "短信签名不合法"}},
    {"isv.SMS_TEMPLATE_ILLEGAL", {kBusiness, 200, "短信模版不合法"}},
    {"isv.TEMPLATE_MISSING_PARAMETERS", {kBusiness, 200, "模版缺少变量"}},
};

}  // namespace

PopErrorInfo PopError(std::string_view code) {
  auto row = std::find_if(std::begin(kRows), std::end(kRows),
                          [&](const Row& r) { return r.code == code; });
  if (row != std::end(kRows)) return row->info;
  if (code.starts_with("isv.") || code.starts_with("isp.")) {
    return {kBusiness, 200, ""};
  }
  return {kGateway, 400, ""};
}

std::string PopWireMessage(const Status& error) {
  return error.message().empty()
             ? std::string(PopError(error.error_code()).message)
             : error.message();
}

Status PopErrorStatus(std::string_view code, std::string message) {
  const PopErrorInfo info = PopError(code);
  // Business refusals come with HTTP 200: the caller's input, as a 400 is.
  return Status(info.kind == PopErrorKind::kBusiness
                    ? StatusCode::kInvalidArgument
                    : StatusCodeForHttpStatus(info.http_status),
                std::move(message), std::string(code));
}

Status PopMissingParameterError(const std::string& name) {
  return PopErrorStatus("MissingParameter",
                        "The input parameter \"" + name +
                            "\" that is mandatory for processing this "
                            "request is not supplied.");
}

}  // namespace mns::emulator
