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

// Statuses marked [U] in spec alicom §2.5 are the most likely ones.
constexpr Row kRows[] = {
    {"SignatureDoesNotMatch", {kGateway, 400}},
    {"IncompleteSignature", {kGateway, 400}},
    {"InvalidAccessKeyId.NotFound", {kGateway, 404}},
    {"InvalidTimeStamp.Expired", {kGateway, 400}},
    {"InvalidTimeStamp.Format", {kGateway, 400}},
    {"SignatureNonceUsed", {kGateway, 400}},
    {"ContentSHA256NotMatched", {kGateway, 400}},
    {"MissingParameter", {kGateway, 400}},
    {"InvalidParameter", {kGateway, 400}},
    {"InvalidVersion", {kGateway, 400}},
    {"InvalidAction.NotFound", {kGateway, 404}},
    {"Forbidden.RAM", {kGateway, 403}},
    {"Throttling.User", {kGateway, 400}},
    {"InternalError", {kGateway, 500}},
    {"ServiceUnavailable", {kGateway, 503}},
    {"isv.BUSINESS_LIMIT_CONTROL", {kBusiness, 200}},
    {"isv.INVALID_JSON_PARAM", {kBusiness, 200}},
    {"isv.INVALID_PARAMETERS", {kBusiness, 200}},
    {"isv.MOBILE_COUNT_OVER_LIMIT", {kBusiness, 200}},
    {"isv.MOBILE_NUMBER_ILLEGAL", {kBusiness, 200}},
    {"isv.SMS_SIGNATURE_ILLEGAL", {kBusiness, 200}},
    {"isv.SMS_TEMPLATE_ILLEGAL", {kBusiness, 200}},
    {"isv.TEMPLATE_MISSING_PARAMETERS", {kBusiness, 200}},
};

}  // namespace

PopErrorInfo PopError(std::string_view code) {
  auto row = std::find_if(std::begin(kRows), std::end(kRows),
                          [&](const Row& r) { return r.code == code; });
  if (row != std::end(kRows)) return row->info;
  if (code.starts_with("isv.") || code.starts_with("isp.")) {
    return {kBusiness, 200};
  }
  return {kGateway, 400};
}

}  // namespace mns::emulator
