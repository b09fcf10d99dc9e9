#include "client/src/mns_signer.h"

#include <map>

#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::internal {
namespace {

std::string HeaderValue(const Headers& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

}  // namespace

std::string MnsV2StringToSign(const std::string& method, const Headers& headers,
                              const std::string& target) {
  // x-mns-* headers: lower-cased names, trimmed values, sorted by name.
  std::map<std::string, std::string> mns_headers;
  for (const auto& [name, value] : headers) {
    std::string lower = AsciiLower(name);
    if (lower.rfind("x-mns-", 0) == 0) {
      mns_headers[lower] = std::string(TrimAsciiWhitespace(value));
    }
  }
  std::string date = HeaderValue(headers, "Date");
  std::string out = method + "\n" + HeaderValue(headers, "Content-MD5") + "\n" +
                    HeaderValue(headers, "Content-Type") + "\n" + date + "\n";
  for (const auto& [name, value] : mns_headers)
    out += name + ":" + value + "\n";
  return out + target;
}

std::string MnsV2Authorization(const std::string& access_key_id,
                               const std::string& access_key_secret,
                               const std::string& string_to_sign) {
  return "MNS " + access_key_id + ":" +
         Base64Encode(HmacSha1(access_key_secret, string_to_sign));
}

Headers SignedMnsHeaders(const std::string& method, const std::string& target,
                         const std::string& body, const Headers& extra,
                         const Credentials& credentials, TimePoint now) {
  Headers headers = {{"Date", FormatHttpDate(now)},
                     {"x-mns-version", kMnsVersion}};
  if (!body.empty()) {
    headers.emplace_back("Content-Type", "text/xml;charset=UTF-8");
    headers.emplace_back("Content-MD5", Base64Encode(HexLower(Md5(body))));
  }
  headers.insert(headers.end(), extra.begin(), extra.end());
  headers.emplace_back(
      "Authorization",
      MnsV2Authorization(credentials.access_key_id,
                         credentials.access_key_secret,
                         MnsV2StringToSign(method, headers, target)));
  if (!credentials.security_token.empty()) {
    headers.emplace_back("security-token", credentials.security_token);
  }
  return headers;
}

}  // namespace mns::internal
