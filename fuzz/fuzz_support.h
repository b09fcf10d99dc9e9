// What the fuzz targets share: splitting one input into parts, and the
// checks that make a target fail on a wrong answer, not only on a crash.
#ifndef MNS_FUZZ_FUZZ_SUPPORT_H_
#define MNS_FUZZ_FUZZ_SUPPORT_H_

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace mns::fuzz {

// Splits `data` at each '\n' into at most `max_parts` parts (the last keeps
// the rest), so one input can carry a method, a target, headers and a body.
inline std::vector<std::string_view> Lines(std::string_view data,
                                           size_t max_parts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < max_parts) {
    size_t newline = data.find('\n');
    if (newline == std::string_view::npos) break;
    parts.push_back(data.substr(0, newline));
    data.remove_prefix(newline + 1);
  }
  parts.push_back(data);
  return parts;
}

// Stops the fuzzer with a message: libFuzzer records the input that did it.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz check failed: %s\n", what.c_str());
  std::abort();
}

inline void Check(bool ok, const std::string& what) {
  if (!ok) Fail(what);
}

}  // namespace mns::fuzz

#endif  // MNS_FUZZ_FUZZ_SUPPORT_H_
