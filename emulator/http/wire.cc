#include "emulator/http/wire.h"

#include <algorithm>
#include <cctype>

#include "mns/common/strings.h"

namespace mns::emulator {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view HttpRequest::path() const {
  std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view HttpRequest::raw_query() const {
  std::string_view t = target;
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

std::string HttpRequest::Host() const {
  std::optional<std::string> host = Header("Host");
  const bool plain = host && !host->empty() &&
                     std::all_of(host->begin(), host->end(), [](char c) {
                       return std::isalnum(static_cast<unsigned char>(c)) ||
                              c == '.' || c == '-' || c == ':' || c == '[' ||
                              c == ']' || c == '_';
                     });
  return plain ? *host : "localhost";
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SplitParams(
    std::string_view text, bool plus_is_space) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view()
                                         : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    pairs.emplace_back(PercentDecode(pair.substr(0, eq), plus_is_space),
                       PercentDecode(value, plus_is_space));
  }
  return pairs;
}

QueryParams::QueryParams(std::string_view raw_query)
    : pairs_(SplitParams(raw_query, /*plus_is_space=*/false)) {}

std::optional<std::string> QueryParams::Get(std::string_view name) const {
  for (const auto& [n, v] : pairs_) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return std::nullopt;
}

}  // namespace mns::emulator
