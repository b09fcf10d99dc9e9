#include "emulator/http/mns_auth.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "client/common/crypto.h"

namespace mns::emulator {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
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
    std::string lower = Lower(name);
    if (lower.starts_with("x-mns-")) {
      mns_headers.emplace_back(std::move(lower), std::string(Trim(value)));
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
  header = Trim(header);
  if (!header.starts_with("MNS ")) return std::nullopt;
  header.remove_prefix(4);
  size_t colon = header.rfind(':');
  if (colon == std::string_view::npos || colon == 0 ||
      colon + 1 == header.size()) {
    return std::nullopt;
  }
  return MnsAuthorization{std::string(Trim(header.substr(0, colon))),
                          std::string(Trim(header.substr(colon + 1)))};
}

}  // namespace mns::emulator
