#include "emulator/http/pop_auth.h"

#include <algorithm>
#include <cctype>

#include "emulator/http/pop_errors.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {

std::string PopEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

void ParseFormParams(std::string_view text,
                     std::map<std::string, std::string>& params) {
  for (auto& [name, value] : SplitParams(text, /*plus_is_space=*/true)) {
    params.emplace(std::move(name), std::move(value));
  }
}

std::string PopV1StringToSign(
    const std::string& method,
    const std::map<std::string, std::string>& params) {
  // std::map orders by byte value, which is the order POP sorts names in.
  std::string canonical;
  for (const auto& [name, value] : params) {
    if (name == "Signature") continue;
    if (!canonical.empty()) canonical += '&';
    canonical += PopEncode(name) + "=" + PopEncode(value);
  }
  return method + "&" + PopEncode("/") + "&" + PopEncode(canonical);
}

std::string PopV1Signature(std::string_view secret,
                           std::string_view string_to_sign) {
  return Base64Encode(HmacSha1(std::string(secret) + "&", string_to_sign));
}

std::optional<AcsAuthorization> ParseAcsAuthorization(std::string_view header) {
  header = TrimAsciiWhitespace(header);
  constexpr std::string_view kScheme = "ACS3-HMAC-SHA256 ";
  if (!header.starts_with(kScheme)) return std::nullopt;
  header.remove_prefix(kScheme.size());
  AcsAuthorization out;
  bool has_credential = false, has_headers = false, has_signature = false;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = TrimAsciiWhitespace(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view()
                                             : header.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") {
      out.access_key_id = std::string(value);
      has_credential = !value.empty();
    } else if (key == "SignedHeaders") {
      while (!value.empty()) {
        size_t semi = value.find(';');
        std::string name = AsciiLower(value.substr(0, semi));
        if (!name.empty()) out.signed_headers.push_back(std::move(name));
        value = semi == std::string_view::npos ? std::string_view()
                                               : value.substr(semi + 1);
      }
      has_headers = !out.signed_headers.empty();
    } else if (key == "Signature") {
      out.signature = std::string(value);
      has_signature = !value.empty();
    }
  }
  if (!has_credential || !has_headers || !has_signature) return std::nullopt;
  return out;
}

std::string PopV3CanonicalRequest(
    const HttpRequest& request, const std::map<std::string, std::string>& query,
    const std::vector<std::string>& signed_headers) {
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += PopEncode(name) + "=" + PopEncode(value);
  }
  std::vector<std::string> names = signed_headers;
  std::sort(names.begin(), names.end());
  std::string headers, header_list;
  for (const std::string& name : names) {
    headers +=
        name + ":" +
        std::string(TrimAsciiWhitespace(request.Header(name).value_or(""))) +
        "\n";
    if (!header_list.empty()) header_list += ';';
    header_list += name;
  }
  std::string payload_hash = request.Header("x-acs-content-sha256")
                                 .value_or(HexLower(Sha256(request.body)));
  return request.method + "\n" + std::string(request.path()) + "\n" +
         canonical_query + "\n" + headers + "\n" + header_list + "\n" +
         payload_hash;
}

std::string PopV3StringToSign(std::string_view canonical_request) {
  return "ACS3-HMAC-SHA256\n" + HexLower(Sha256(canonical_request));
}

std::string PopV3Signature(std::string_view secret,
                           std::string_view string_to_sign) {
  return HexLower(HmacSha256(secret, string_to_sign));
}

bool IsPopV3(const HttpRequest& request) {
  return request.Header("Authorization")
      .value_or("")
      .starts_with("ACS3-HMAC-SHA256");
}

namespace {

// Timestamps come as yyyy-MM-ddTHH:mm:ssZ; fractional seconds are accepted
// too (spec alicom §9 leaves it open).
std::optional<TimePoint> ParsePopTimestamp(std::string text) {
  size_t dot = text.find('.');
  if (dot != std::string::npos && text.back() == 'Z') {
    text = text.substr(0, dot) + "Z";
  }
  return ParseIso8601(text);
}

}  // namespace

PopAuthenticator::PopAuthenticator(const CredentialStore* credentials,
                                   const Clock* clock, AuthPolicy policy)
    : credentials_(credentials), clock_(clock), policy_(std::move(policy)) {}

StatusOr<Principal> PopAuthenticator::Authenticate(const HttpRequest& request,
                                                   const PopParams& params) {
  if (policy_.mode == AuthMode::kOff) {
    if (const std::string* key = params.Find("AccessKeyId")) {
      if (auto found = credentials_->Lookup(*key); found.ok()) return found;
    }
    Principal principal;
    principal.account_id = policy_.default_account;
    return principal;
  }
  return IsPopV3(request) ? AuthenticateV3(request, params)
                          : AuthenticateV1(request, params);
}

StatusOr<Principal> PopAuthenticator::AuthenticateV1(const HttpRequest& request,
                                                     const PopParams& params) {
  for (const char* name : {"AccessKeyId", "Signature", "SignatureNonce",
                           "Timestamp", "Action", "Version"}) {
    if (params.Find(name) == nullptr) return PopMissingParameterError(name);
  }
  MNS_ASSIGN_OR_RETURN(
      Principal principal,
      CheckKeyAndTime(*params.Find("AccessKeyId"), *params.Find("Timestamp")));
  const std::string string_to_sign =
      PopV1StringToSign(request.method, params.all);
  if (PopV1Signature(principal.access_key_secret, string_to_sign) !=
      *params.Find("Signature")) {
    MNS_RETURN_IF_ERROR(
        SignatureMismatch(string_to_sign, principal.access_key_id));
  }
  MNS_RETURN_IF_ERROR(CheckNonce(*params.Find("SignatureNonce")));
  return principal;
}

StatusOr<Principal> PopAuthenticator::AuthenticateV3(const HttpRequest& request,
                                                     const PopParams& params) {
  auto auth = ParseAcsAuthorization(request.Header("Authorization").value());
  if (!auth) return PopErrorStatus("IncompleteSignature");
  for (const char* name : {"x-acs-action", "x-acs-version", "x-acs-date",
                           "x-acs-signature-nonce"}) {
    if (!request.Header(name)) return PopMissingParameterError(name);
  }
  MNS_ASSIGN_OR_RETURN(
      Principal principal,
      CheckKeyAndTime(auth->access_key_id, *request.Header("x-acs-date")));
  if (auto hash = request.Header("x-acs-content-sha256");
      hash && *hash != HexLower(Sha256(request.body))) {
    return PopErrorStatus("ContentSHA256NotMatched");
  }
  const std::string string_to_sign = PopV3StringToSign(
      PopV3CanonicalRequest(request, params.query, auth->signed_headers));
  if (PopV3Signature(principal.access_key_secret, string_to_sign) !=
      auth->signature) {
    MNS_RETURN_IF_ERROR(
        SignatureMismatch(string_to_sign, principal.access_key_id));
  }
  MNS_RETURN_IF_ERROR(CheckNonce(*request.Header("x-acs-signature-nonce")));
  return principal;
}

StatusOr<Principal> PopAuthenticator::CheckKeyAndTime(
    const std::string& access_key_id, const std::string& timestamp) const {
  const std::optional<TimePoint> signed_at = ParsePopTimestamp(timestamp);
  if (!signed_at) return PopErrorStatus("InvalidTimeStamp.Format");
  auto principal = credentials_->Lookup(access_key_id);
  if (!principal.ok() || principal->temporary()) {
    return PopErrorStatus("InvalidAccessKeyId.NotFound");
  }
  if (!policy_.WithinSkew(clock_->Now(), *signed_at)) {
    return PopErrorStatus("InvalidTimeStamp.Expired");
  }
  return principal;
}

Status PopAuthenticator::SignatureMismatch(
    const std::string& string_to_sign, const std::string& access_key_id) const {
  if (!policy_.RefusesBadSignature("a bad POP signature from " +
                                   access_key_id)) {
    return OkStatus();
  }
  // Java and Go compare this suffix with their own string to sign (spec
  // alicom §2.5): it must be exact.
  return PopErrorStatus("SignatureDoesNotMatch",
                        "Specified signature is not matched with our "
                        "calculation. server string to sign is:" +
                            string_to_sign);
}

Status PopAuthenticator::CheckNonce(const std::string& nonce) {
  const TimePoint now = clock_->Now();
  std::lock_guard<std::mutex> lock(nonce_mutex_);
  // A nonce older than the skew window cannot be replayed anyway: its
  // Timestamp would be refused.
  while (!nonce_order_.empty() &&
         now - nonce_order_.front().first > policy_.max_clock_skew * 2) {
    nonces_.erase(nonce_order_.front().second);
    nonce_order_.pop_front();
  }
  if (!nonces_.insert(nonce).second) {
    return PopErrorStatus("SignatureNonceUsed");
  }
  nonce_order_.emplace_back(now, nonce);
  return OkStatus();
}

}  // namespace mns::emulator
