#include "emulator/http/mns_auth.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "client/common/crypto.h"
#include "client/common/strings.h"

namespace mns::emulator {

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

}  // namespace mns::emulator
