// Query strings, headers and the MNS signature input: decoding never
// crashes, and percent-decoding what was percent-encoded gives it back.
#include "emulator/http/mns_auth.h"
#include "emulator/http/pop_auth.h"
#include "emulator/http/wire.h"
#include "fuzz/fuzz_support.h"
#include "mns/common/time_format.h"

using namespace mns;
using namespace mns::emulator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = fuzz::Lines(input, 4);
  const std::string target(parts[0]);

  HttpRequest request{.method = "GET", .target = target};
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string_view line = parts[i];
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace_back(std::string(line.substr(0, colon)),
                                 std::string(line.substr(colon + 1)));
  }
  const QueryParams query(request.raw_query());
  (void)query.Get("waitseconds");
  (void)SplitParams(input, true);
  (void)PercentDecode(input, false);
  (void)request.Host();
  (void)MnsStringToSign(request);
  if (auto authorization = request.Header("Authorization")) {
    (void)ParseMnsAuthorization(*authorization);
    (void)ParseAcsAuthorization(*authorization);
  }
  if (auto date = request.Header("Date")) (void)ParseHttpDate(*date);

  // PopEncode is RFC 3986 percent-encoding: decoding it restores the text.
  const std::string text(parts.back());
  fuzz::Check(PercentDecode(PopEncode(text), false) == text,
              "PercentDecode(PopEncode(x)) != x");
  return 0;
}
