// Transport: sends one HTTP request and returns the reply, or a transport
// error (kUnavailable). The MNS and POP clients build and sign requests and
// parse replies; the transport only moves bytes, so unit tests substitute a
// fake. Implementations are thread-safe.
#ifndef MNS_CLIENT_SRC_TRANSPORT_H_
#define MNS_CLIENT_SRC_TRANSPORT_H_

#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/status.h"
#include "mns/options.h"

namespace mns::internal {

struct HttpCall {
  std::string method;
  std::string target;  // path and query, exactly as signed
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Duration read_timeout{10'000};
  // A stop request aborts the call (a long poll, say) with kCancelled.
  std::stop_token stop;
};

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first value of a header, matched without case; "" if absent.
  std::string Header(const std::string& name) const;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual StatusOr<HttpReply> Send(const HttpCall& call) = 0;
};

// cpp-httplib over keep-alive connections to `options.endpoint`, with its
// connect timeout, CA file and name overrides; a connection per concurrent
// caller, reused afterwards.
std::shared_ptr<Transport> MakeHttpTransport(const ClientOptions& options);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_TRANSPORT_H_
