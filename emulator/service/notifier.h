// Notifier: the seam through which the emulator POSTs a notification to an
// HTTP endpoint (spec topic §4.3). TopicService builds the request, signs
// it and decides what the answer means; a Notifier only carries it. The
// real one is cpp-httplib's client; tests may put their own behind the
// seam. The emulator has no other HTTP client, and shares none with the
// client library, so that the two sides stay independent. Implementations
// must be thread-safe: deliveries run on several workers.
#ifndef MNS_EMULATOR_SERVICE_NOTIFIER_H_
#define MNS_EMULATOR_SERVICE_NOTIFIER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "mns/common/clock.h"

namespace mns::emulator {

struct OutboundRequest {
  std::string url;     // the endpoint as subscribed
  std::string origin;  // scheme://host[:port], where to connect
  std::string target;  // what goes on the request line: path and query
  std::vector<std::pair<std::string, std::string>> headers;  // in order
  std::string content_type;
  std::string body;
  Duration timeout{5000};  // for the connection and for the answer
};

struct OutboundResult {
  int status = 0;     // 0: no answer
  std::string error;  // why there was no answer
};

class Notifier {
 public:
  virtual ~Notifier() = default;
  virtual OutboundResult Post(const OutboundRequest& request) = 0;
};

// cpp-httplib's client, a connection per request. HTTPS endpoints are
// reached without verifying their certificate unless `verify_tls`: a test
// receiver's certificate is its own.
std::unique_ptr<Notifier> MakeHttpNotifier(bool verify_tls = false);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_NOTIFIER_H_
