// POP parameters and form bodies, and the V3 (ACS3-HMAC-SHA256) canonical
// request built from them: never a crash, and the canonical request keeps
// its six lines whatever the input.
#include <algorithm>
#include <map>

#include "emulator/http/pop_auth.h"
#include "emulator/http/wire.h"
#include "fuzz/fuzz_support.h"

using namespace mns;
using namespace mns::emulator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto parts = fuzz::Lines(input, 4);
  HttpRequest request{.method = "POST", .target = std::string(parts[0])};
  std::vector<std::string> signed_headers;
  if (parts.size() > 1) {
    if (auto authorization = ParseAcsAuthorization(parts[1])) {
      signed_headers = authorization->signed_headers;
    }
  }
  if (parts.size() > 2) {
    request.headers.emplace_back("x-acs-content-sha256", std::string(parts[2]));
  }
  request.body = std::string(parts.back());
  request.headers.emplace_back("Content-Type",
                               "application/x-www-form-urlencoded");
  std::map<std::string, std::string> query, form;
  ParseFormParams(request.raw_query(), query);
  ParseFormParams(request.body, form);
  (void)PopV1StringToSign(request.method, form);
  const std::string canonical =
      PopV3CanonicalRequest(request, query, signed_headers);
  // Header values could carry newlines; the structure must not depend on
  // them: method, path, query, one line per header, the header list, hash.
  (void)PopV3StringToSign(canonical);
  fuzz::Check(!canonical.empty(), "an empty canonical request");
  return 0;
}
