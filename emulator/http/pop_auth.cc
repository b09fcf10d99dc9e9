#include "emulator/http/pop_auth.h"

#include <algorithm>
#include <cctype>

#include "client/common/crypto.h"
#include "client/common/strings.h"

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

}  // namespace mns::emulator
