#include "emulator/http/mns_errors.h"

#include <algorithm>
#include <iterator>
#include <string>

namespace mns::emulator {
namespace {

struct Row {
  std::string_view code;
  MnsErrorInfo info;
};

constexpr Row kRows[] = {
    {"AccessDenied",
     {403,
      "The OwnerId that your Access Key Id associated to is forbidden for "
      "this operation."}},
    {"InvalidAccessKeyId",
     {403, "The AccessKey Id you provided is not exist."}},
    {"SignatureDoesNotMatch",
     {403,
      "The request signature we calculated does not match the signature you "
      "provided. Check your key and signing method."}},
    {"SecurityTokenExpired",
     {403, "The security token you provided has expired."}},
    {"InvalidSecurityToken",
     {403, "The security token you provided is invalid."}},
    // UNCONFIRMED texts (spec mns §6.2 gives only the codes); a fault rule
    // that injects them without a message shows these.
    {"QpsLimitExceeded", {403, "The request rate exceeds the limit."}},
    {"MissingAuthorizationHeader", {400, "Authorization header is required."}},
    {"InvalidAuthorizationHeader",
     {400, "The Authorization header format is invalid."}},
    {"TimeExpired", {400, "The http request you sent is expired."}},
    {"MissingDateHeader", {400, "Date header is required."}},
    {"InvalidDateHeader", {400, "The Date header format is invalid."}},
    {"MissingVersionHeader", {400, "x-mns-version header is required."}},
    {"InvalidVersionHeader", {400, ""}},
    {"InvalidDigest", {400, "The Content-MD5 you specified is invalid."}},
    {"InvalidRequestURL", {400, "Http request URL format invalid."}},
    {"InvalidQueryString", {400, ""}},
    {"MissingReceiptHandle", {400, "ReceiptHandle is required."}},
    {"MissingVisibilityTimeout", {400, "VisibilityTimeout is required."}},
    {"ReceiptHandleError",
     {400, "The receipt handle you provide is not valid."}},
    {"MalformedXML", {400, "The XML you provided was not well-formed."}},
    {"InvalidArgument", {400, ""}},
    {"MessageNotExist", {404, "Message not exist."}},
    {"QueueNotExist", {404, "The queue name you provided is not exist."}},
    {"QueueAlreadyExist",
     {409, "The queue you want to create is already exist."}},
    {"QueueDeletedRecently", {409, ""}},
    // Topics (spec topic §7). UNCONFIRMED: the statuses of the *Invalid
    // codes and the SubscriptionAlreadyExist text.
    {"TopicNotExist", {404, "The topic you provided does not exist."}},
    {"TopicAlreadyExist",
     {409, "The topic you want to create is already exists."}},
    {"TopicNameLengthError",
     {400, "Topic name length is out of range, should be between 1 and 256."}},
    {"TopicNameInvalid", {400, ""}},
    {"SubscriptionNotExist",
     {404, "The subscription you provided does not exits."}},
    {"SubscriptionAlreadyExist",
     {409, "The subscription you want to create is already exist."}},
    {"SubscriptionNameLengthError",
     {400,
      "Subscription name length is out of range, should be between 1 and "
      "256."}},
    {"SubscriptionNameInvalid", {400, ""}},
    {"EndpointInvalid", {400, ""}},
    // Deliberately "Interal": the cloud's own spelling (spec mns §6.2).
    {"InternalError", {500, "Interal error."}},
    {"ServiceUnavailable", {503, "The service is temporarily unavailable."}},
};

}  // namespace

MnsErrorInfo MnsError(std::string_view code) {
  auto row = std::find_if(std::begin(kRows), std::end(kRows),
                          [&](const Row& r) { return r.code == code; });
  return row == std::end(kRows) ? MnsErrorInfo{400, ""} : row->info;
}

std::string WireMessage(const Status& error) {
  return error.message().empty()
             ? std::string(MnsError(error.error_code()).message)
             : error.message();
}

Status MnsErrorStatus(StatusCode status_code, std::string_view code) {
  return Status(status_code, std::string(MnsError(code).message),
                std::string(code));
}

}  // namespace mns::emulator
