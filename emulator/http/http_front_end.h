// HttpFrontEnd: the socket side of the emulator. It accepts HTTP/1.1
// connections, reads each request within hard limits, hands it to a handler on
// a worker thread, and writes the response; it knows nothing of MNS or POP.
//
// Why not cpp-httplib's server (docs/adr/0002-http-front-end.md): Debian 12's
// 0.11 drops pipelined requests, inflates gzip bodies without a cap, counts no
// headers, refuses url-encoded forms over 8 KiB, and applies its read timeout
// per read, so a client trickling a byte every few seconds holds a thread
// forever. Here Boost.Beast parses and Boost.Asio waits: a connection costs a
// socket and a small buffer, not a thread, until its request is complete.
//
// Limits, each answered in the protocol's own error shape through the
// `ErrorRenderer` and then a closed connection:
//   - request line and headers over `max_header_bytes`, or more than
//     `max_header_count` fields: 431;
//   - a body over `max_body_bytes`: 413, before the body is read;
//   - Content-Length together with Transfer-Encoding (RFC 9112 §6.1), or any
//     other framing error: 400;
//   - a Content-Encoding other than identity: 415, before the body is read;
//   - a request not complete within `request_deadline` of its first byte:
//     the connection is closed (a trickle cannot hold it open);
//   - more than `max_connections` open connections: 503 and close.
// Pipelined requests are served one at a time, in order. An absolute-form
// target (RFC 9112 §3.2.2) reaches the handler in origin form.
//
// HTTPS (TLS 1.2 and later) is the same loop over an SSL stream, after a
// handshake that must finish within `request_deadline`. A plain request on
// an HTTPS port gets a plain 400 that says so; a failed handshake just
// closes that connection.
//
// Thread-safe. Start() returns once the port is bound; Stop() (also the
// destructor) waits for running handlers, so the caller must first end what
// might block them (parked long polls).
#ifndef MNS_EMULATOR_HTTP_HTTP_FRONT_END_H_
#define MNS_EMULATOR_HTTP_HTTP_FRONT_END_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "emulator/http/tls_identity.h"
#include "emulator/http/wire.h"
#include "mns/common/status.h"

namespace mns::emulator {

// Answers a request. May block (a long poll); may throw, which becomes a 500.
using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;

// Answers `request` without blocking, or returns nullopt when answering
// means waiting (a long poll); such requests then go to the
// RequestHandler on a worker thread. Runs on the I/O thread that read the
// request, which saves two thread hand-offs per request.
using ImmediateHandler =
    std::function<std::optional<HttpResponse>(const HttpRequest&)>;

struct HttpFrontEndOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port
  // `port` speaks HTTPS, with `tls_identity`.
  bool port_tls = false;
  // A second port on `host` that speaks HTTPS beside `port`: -1 none, 0 a
  // free one.
  int tls_port = -1;
  // The certificate chain and key the HTTPS port serves.
  PemPair tls_identity;
  size_t max_body_bytes = 4 << 20;
  // The request line counts too: a POP GET carries all its parameters there.
  size_t max_header_bytes = 64 << 10;
  size_t max_header_count = 100;
  std::chrono::milliseconds request_deadline{10'000};
  std::chrono::milliseconds keep_alive{30'000};
  std::chrono::milliseconds write_timeout{10'000};
  size_t max_connections = 10'000;
  size_t max_handler_threads = 4096;
  // Threads that read and write sockets, and run the handlers that cannot
  // block.
  int io_threads = 1;
  // Absent: every request goes to a worker thread.
  ImmediateHandler answer_now;
};

// Renders an error the front end finds itself. `request` holds what was read:
// the method, target and headers when the header was complete, else nothing.
using ErrorRenderer = std::function<HttpResponse(
    int status, const std::string& message, const HttpRequest& request)>;

class HttpFrontEnd {
 public:
  static StatusOr<std::unique_ptr<HttpFrontEnd>> Start(
      HttpFrontEndOptions options, RequestHandler handler,
      ErrorRenderer render_error);
  ~HttpFrontEnd();

  // Stops accepting, lets running handlers finish and their responses go
  // out, then closes every connection. Idempotent.
  void Stop();

  int port() const;
  // The HTTPS port beside port(), or -1.
  int tls_port() const;
  // Connections open now, on every port.
  size_t open_connections() const;

  class Impl;

 private:
  explicit HttpFrontEnd(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "http://host:port/p?q" -> "/p?q"; an origin-form target is returned as is.
std::string OriginFormTarget(std::string_view target);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_HTTP_FRONT_END_H_
