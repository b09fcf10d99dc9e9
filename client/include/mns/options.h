// ClientOptions: where a client connects, how it authenticates, how long it
// waits and how it retries. A plain value, copied into each client.
#ifndef MNS_CLIENT_OPTIONS_H_
#define MNS_CLIENT_OPTIONS_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "mns/common/clock.h"
#include "mns/credentials.h"

namespace mns {

// Exponential backoff with full jitter: attempt n (from 0) waits a uniform
// random time in [0, min(max_delay, initial_delay * multiplier^n)].
struct RetryPolicy {
  int max_attempts = 4;  // 1 disables retries
  Duration initial_delay{100};
  Duration max_delay{5000};
  double multiplier = 2.0;
  // SendMessage and BatchSendMessage are not idempotent: a retry after a
  // lost response enqueues the message twice. They are retried only when the
  // caller accepts that risk here.
  bool retry_send = false;
};

struct ClientOptions {
  // "http://127.0.0.1:9876" or "https://<account>.mns.<region>.aliyuncs.com".
  std::string endpoint;
  std::shared_ptr<CredentialsProvider> credentials;
  Duration connect_timeout{5000};
  // How long a response may take beyond any long-poll wait; the read timeout
  // of a receive is its wait plus this, so it always exceeds the wait.
  Duration read_timeout{10'000};
  RetryPolicy retry;
  // Message bodies are base64-encoded on send and decoded on receive, as the
  // Java and Python SDKs do by default; false sends and returns them raw.
  bool base64_bodies = true;
  // HTTPS: a PEM file of the CAs to trust instead of the system's (the
  // emulator's generated ca.pem, say). Empty: the system's store, which
  // SSL_CERT_FILE may point elsewhere. The certificate and the host name are
  // always verified.
  std::string ca_file;
  // Connect to these addresses instead of resolving these host names, as
  // curl --resolve does: {{"dybaseapi.aliyuncs.com", "127.0.0.1"}}. The host
  // name still goes in Host, in the TLS server name and in the certificate
  // check, so the endpoint reads as in the cloud.
  std::map<std::string, std::string> resolve;
  // Where backoff waits and token expiry are measured; the real clock when
  // null.
  std::shared_ptr<Clock> clock;
};

}  // namespace mns

#endif  // MNS_CLIENT_OPTIONS_H_
