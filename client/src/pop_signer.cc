#include "client/src/pop_signer.h"

#include <cstdio>

#include "mns/common/crypto.h"
#include "mns/common/time_format.h"

namespace mns::internal {

std::string PopPercentEncode(std::string_view text) {
  std::string out;
  char escaped[4];
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                            c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      std::snprintf(escaped, sizeof(escaped), "%%%02X", c);
      out += escaped;
    }
  }
  return out;
}

std::string PopCanonicalQuery(
    const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += PopPercentEncode(name) + "=" + PopPercentEncode(value);
  }
  return out;
}

std::string PopV1StringToSign(
    const std::string& method,
    const std::map<std::string, std::string>& params) {
  std::map<std::string, std::string> signed_params = params;
  signed_params.erase("Signature");
  return method + "&%2F&" + PopPercentEncode(PopCanonicalQuery(signed_params));
}

std::string PopV1Sign(const std::string& secret,
                      const std::string& string_to_sign) {
  return Base64Encode(HmacSha1(secret + "&", string_to_sign));
}

std::string PopV3CanonicalRequest(
    const std::string& method, const std::map<std::string, std::string>& query,
    const std::map<std::string, std::string>& headers,
    const std::string& body_sha256_hex) {
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  return method + "\n/\n" + PopCanonicalQuery(query) + "\n" +
         canonical_headers + "\n" + signed_headers + "\n" + body_sha256_hex;
}

std::string PopV3Sign(const std::string& secret,
                      const std::string& canonical_request) {
  return HexLower(HmacSha256(
      secret, "ACS3-HMAC-SHA256\n" + HexLower(Sha256(canonical_request))));
}

std::string PopV1SignedQuery(std::map<std::string, std::string> params,
                             const Credentials& credentials,
                             const std::string& nonce, TimePoint now) {
  params["Format"] = "JSON";
  params["AccessKeyId"] = credentials.access_key_id;
  params["SignatureMethod"] = "HMAC-SHA1";
  params["SignatureVersion"] = "1.0";
  params["SignatureNonce"] = nonce;
  params["Timestamp"] = FormatIso8601(now);
  if (!credentials.security_token.empty()) {
    params["SecurityToken"] = credentials.security_token;
  }
  params["Signature"] = PopV1Sign(credentials.access_key_secret,
                                  PopV1StringToSign("GET", params));
  return PopCanonicalQuery(params);
}

}  // namespace mns::internal
