// ASCII string helpers the wire formats need: header names and protocol
// keywords compare without case, values are trimmed of ASCII white space.
// Pure functions, thread-safe.
#ifndef MNS_COMMON_STRINGS_H_
#define MNS_COMMON_STRINGS_H_

#include <optional>
#include <string>
#include <string_view>

namespace mns {

std::string_view TrimAsciiWhitespace(std::string_view text);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view text);
std::string AsciiLower(std::string_view text);

// Whether `text` matches the glob `pattern`: '*' any run of bytes, '?' any
// one byte, everything else itself. Linear-time enough for hostile patterns
// (one backtrack point, never recursive).
bool GlobMatches(std::string_view pattern, std::string_view text);

// An http:// or https:// URL (scheme in any case) cut where its authority
// ends: "https://h:8/p?q#f" is origin "https://h:8", authority "h:8", host
// "h" (an IPv6 literal without its brackets) and target "/p?q" (the
// fragment dropped; empty when there is none).
struct HttpUrl {
  std::string origin;
  std::string authority;
  std::string host;
  std::string target;
};
// nullopt for any other scheme.
std::optional<HttpUrl> SplitHttpUrl(std::string_view url);

// "localhost", ::1 (bracketed or not), or 127.0.0.0/8 as a dotted quad
// ("127.evil.example" is not).
bool IsLoopbackHost(std::string_view host);

}  // namespace mns

#endif  // MNS_COMMON_STRINGS_H_
