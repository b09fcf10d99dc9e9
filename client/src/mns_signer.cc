#include "client/src/mns_signer.h"

#include <map>

#include "client/common/crypto.h"
#include "client/common/strings.h"

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

}  // namespace mns::internal
