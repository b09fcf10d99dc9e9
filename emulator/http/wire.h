// The HTTP exchange as the wire layer sees it, independent of the server
// library: a request with its raw target, and the response to write. The
// handlers are functions from one to the other, so they are tested without a
// socket. Plain values.
#ifndef MNS_EMULATOR_HTTP_WIRE_H_
#define MNS_EMULATOR_HTTP_WIRE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mns::emulator {

// Request headers in arrival order. A request has a dozen at most, so a
// linear case-insensitive scan beats building an ordered map per request.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  // The request-target exactly as it came on the request line: the MNS
  // signature covers it undecoded (spec mns §2.1).
  std::string target;
  HeaderList headers;
  std::string body;
  // Which connection it came on (the front end numbers them from 1; 0 for a
  // request routed with no socket).
  uint64_t connection_id = 0;

  std::string_view path() const;
  std::string_view raw_query() const;
  // The first value of a header, if present.
  std::optional<std::string> Header(std::string_view name) const;
  // The Host header, for URLs and HostId in responses; "localhost" when it
  // is absent or not a plain host[:port] (it is echoed into XML and JSON,
  // which cannot carry arbitrary bytes).
  std::string Host() const;
};

struct HttpResponse {
  int status = 200;
  // Names are written exactly as given: SDKs read some case-sensitively
  // (spec mns §1.3: "x-mns-request-id", "Location").
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // How the front end delivers it; anything but kNormal is a fault rule's
  // doing, and the connection is closed afterwards.
  enum class Delivery {
    kNormal,
    kClose,     // write nothing, close the connection
    kTruncate,  // write the head and half the body, then close
  };
  Delivery delivery = Delivery::kNormal;
  // The protocol's error code when this is an error answer, for the
  // journal; the renderers set it, so nobody reads it back from the body.
  std::string error_code;

  void SetHeader(std::string name, std::string value);
};

// Query parameters as the SDKs send them (spec mns §3.1): pairs split on the
// first '=', values percent-decoded with '+' kept as '+', names matched in
// any case.
class QueryParams {
 public:
  explicit QueryParams(std::string_view raw_query);
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
};

std::string PercentDecode(std::string_view text, bool plus_is_space);

// Splits "a=1&b=2" into decoded pairs, each on its first '='; with
// `plus_is_space`, '+' reads as a space (form encoding).
std::vector<std::pair<std::string, std::string>> SplitParams(
    std::string_view text, bool plus_is_space);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_WIRE_H_
