#include "emulator/http/mns_auth.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "emulator/http/mns_errors.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

// An x-mns-security-token line is signed, but its value is a credential:
// the debug log shows the line with the value replaced.
std::string RedactSecurityToken(std::string text) {
  constexpr std::string_view kName = "x-mns-security-token:";
  size_t at = 0;
  while ((at = text.find(kName, at)) != std::string::npos) {
    const size_t start = at + kName.size();
    const size_t end = text.find('\n', start);
    text.replace(start,
                 end == std::string::npos ? std::string::npos : end - start,
                 "<redacted>");
    at = start;
  }
  return text;
}

}  // namespace

std::string MnsStringToSign(const HttpRequest& request) {
  std::string date = request.Header("Date").value_or(
      request.Header("x-mns-date").value_or(""));
  std::string out =
      request.method + "\n" + request.Header("Content-MD5").value_or("") +
      "\n" + request.Header("Content-Type").value_or("") + "\n" + date + "\n";
  std::vector<std::pair<std::string, std::string>> mns_headers;
  for (const auto& [name, value] : request.headers) {
    std::string lower = AsciiLower(name);
    if (lower.starts_with("x-mns-")) {
      mns_headers.emplace_back(std::move(lower),
                               std::string(TrimAsciiWhitespace(value)));
    }
  }
  std::sort(mns_headers.begin(), mns_headers.end());
  for (const auto& [name, value] : mns_headers) {
    out += name + ":" + value + "\n";
  }
  out += request.target;
  return out;
}

std::string MnsSignature(std::string_view secret,
                         std::string_view string_to_sign) {
  return Base64Encode(HmacSha1(secret, string_to_sign));
}

std::optional<MnsAuthorization> ParseMnsAuthorization(std::string_view header) {
  header = TrimAsciiWhitespace(header);
  if (!header.starts_with("MNS ")) return std::nullopt;
  header.remove_prefix(4);
  size_t colon = header.rfind(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 == header.size()) {
    return std::nullopt;
  }
  return MnsAuthorization{
      std::string(TrimAsciiWhitespace(header.substr(0, colon))),
      std::string(TrimAsciiWhitespace(header.substr(colon + 1)))};
}

MnsAuthenticator::MnsAuthenticator(const CredentialStore* credentials,
                                   const Clock* date_clock,
                                   const Clock* token_clock,
                                   MnsAuthOptions options)
    : credentials_(credentials),
      date_clock_(date_clock),
      token_clock_(token_clock),
      options_(std::move(options)) {}

namespace {

Status WireError(StatusCode code, std::string error_code, std::string message) {
  return Status(code, std::move(message), std::move(error_code));
}

}  // namespace

StatusOr<Principal> MnsAuthenticator::Authenticate(
    const HttpRequest& request) const {
  const auto authorization = request.Header("Authorization");
  const AuthPolicy& policy = options_.policy;
  if (policy.mode == AuthMode::kOff) {
    if (authorization) {
      if (auto parsed = ParseMnsAuthorization(*authorization)) {
        auto principal = credentials_->Lookup(parsed->access_key_id);
        if (principal.ok()) return principal;
      }
    }
    return Principal{.account_id = policy.default_account};
  }

  if (!authorization) {
    return MnsErrorStatus(StatusCode::kUnauthenticated,
                          "MissingAuthorizationHeader");
  }
  auto parsed = ParseMnsAuthorization(*authorization);
  if (!parsed) {
    return MnsErrorStatus(StatusCode::kUnauthenticated,
                          "InvalidAuthorizationHeader");
  }
  auto date_header = request.Header("Date");
  if (!date_header) date_header = request.Header("x-mns-date");
  if (!date_header) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "MissingDateHeader");
  }
  auto date = ParseHttpDate(*date_header);
  if (!date) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "InvalidDateHeader");
  }
  auto version = request.Header("x-mns-version");
  if (!version) {
    return MnsErrorStatus(StatusCode::kInvalidArgument, "MissingVersionHeader");
  }
  if (*version != kMnsVersion) {
    return WireError(StatusCode::kInvalidArgument, "InvalidVersionHeader",
                     "The x-mns-version header is invalid, it should be " +
                         std::string(kMnsVersion) + ".");
  }
  MNS_ASSIGN_OR_RETURN(Principal principal,
                       credentials_->Lookup(parsed->access_key_id));
  if (!policy.WithinSkew(date_clock_->Now(), *date)) {
    return MnsErrorStatus(StatusCode::kUnauthenticated, "TimeExpired");
  }
  const std::string string_to_sign = MnsStringToSign(request);
  if (MnsSignature(principal.access_key_secret, string_to_sign) !=
      parsed->signature) {
    if (policy.RefusesBadSignature("a bad signature from " +
                                   parsed->access_key_id + " for " +
                                   request.method + " " + request.target)) {
      if (options_.log_string_to_sign && policy.log) {
        policy.log("SignatureDoesNotMatch for " + parsed->access_key_id +
                   ": the server's string to sign is\n" +
                   RedactSecurityToken(string_to_sign));
      }
      return MnsErrorStatus(StatusCode::kUnauthenticated,
                            "SignatureDoesNotMatch");
    }
  }
  if (principal.temporary()) {
    auto token = request.Header("security-token");
    if (!token) token = request.Header("x-mns-security-token");
    if (!token || *token != principal.security_token) {
      return MnsErrorStatus(StatusCode::kUnauthenticated,
                            "InvalidSecurityToken");
    }
    if (token_clock_->Now() >= *principal.expire_time) {
      // The code is a setting; the text says what happened whatever it is.
      return WireError(StatusCode::kUnauthenticated,
                       options_.expired_token_code,
                       "The security token you provided has expired.");
    }
  }
  return principal;
}

}  // namespace mns::emulator
