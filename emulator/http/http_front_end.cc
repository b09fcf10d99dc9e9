#include "emulator/http/http_front_end.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "emulator/http/worker_pool.h"
#include "mns/common/strings.h"

namespace mns::emulator {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// How long Stop() lets responses of finished handlers reach their clients.
constexpr std::chrono::milliseconds kStopGrace{500};
// How long a refused connection is drained before it is closed. Closing a
// socket with unread bytes sends a reset, which can destroy the error
// response before the client reads it.
constexpr std::chrono::milliseconds kLingerTime{1'000};
constexpr size_t kReadChunk = 16 << 10;

void Log(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::cerr << "mns-emulator: " << line << std::endl;
}

HttpRequest ToRequest(const http::request_header<>& header) {
  HttpRequest request{.method = std::string(header.method_string().data(),
                                            header.method_string().size())};
  const std::string_view target(header.target().data(), header.target().size());
  request.target = OriginFormTarget(target);
  for (const auto& field : header) {
    request.headers.emplace_back(
        std::string(field.name_string().data(), field.name_string().size()),
        std::string(field.value().data(), field.value().size()));
  }
  // RFC 9112 §3.2.2: with an absolute-form target the authority in it is the
  // host, whatever the Host header says.
  if (request.target.size() != target.size()) {
    std::string authority = SplitHttpUrl(target)->authority;
    bool replaced = false;
    for (auto& [name, value] : request.headers) {
      if (EqualsIgnoreCase(name, "Host")) {
        value = authority;
        replaced = true;
      }
    }
    if (!replaced) request.headers.emplace_back("Host", std::move(authority));
  }
  return request;
}

}  // namespace

std::string OriginFormTarget(std::string_view target) {
  auto url = SplitHttpUrl(target);
  if (!url) return std::string(target);
  if (url->target.empty() || url->target[0] == '?') return "/" + url->target;
  return url->target;
}

class HttpFrontEnd::Impl {
 public:
  Impl(HttpFrontEndOptions options, RequestHandler handler,
       ErrorRenderer render_error)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        render_error_(std::move(render_error)),
        pool_({.max_threads = options_.max_handler_threads}),
        ioc_(std::make_unique<asio::io_context>()) {}

  ~Impl() { Stop(); }

  Status Listen();
  void Stop();
  int port() const { return port_; }
  int tls_port() const { return tls_port_; }
  size_t open_connections() const { return connections_; }

  // Used by sessions.
  const HttpFrontEndOptions& options() const { return options_; }
  asio::ssl::context& tls_context() { return *tls_context_; }
  HttpResponse Handle(const HttpRequest& request) const;
  std::optional<HttpResponse> AnswerNow(const HttpRequest& request) const;
  HttpResponse RenderError(int status, const std::string& message,
                           const HttpRequest& request) const {
    return render_error_(status, message, request);
  }
  bool Enqueue(std::function<void()> task) {
    return pool_.Enqueue(std::move(task));
  }
  // Each connection counts from its accept to its close, through the
  // objects that hold it in turn.
  void ConnectionOpened() { ++connections_; }
  void ConnectionClosed() { --connections_; }
  // Counted on every response; the mutex is taken only when the count
  // reaches zero, for the Stop() that may be waiting for it.
  void ResponseStarted() { in_flight_.fetch_add(1); }
  void ResponseEnded() {
    if (in_flight_.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      drained_.notify_all();
    }
  }

 private:
  struct Listener {
    std::unique_ptr<tcp::acceptor> acceptor;
    bool tls = false;
  };
  // Binds `port` on the host; returns the port bound.
  StatusOr<int> Bind(int port, bool tls);
  Status MakeTlsContext();
  void Accept(Listener& listener);
  void RunIo();

  const HttpFrontEndOptions options_;
  const RequestHandler handler_;
  const ErrorRenderer render_error_;
  std::atomic<size_t> connections_{0};
  std::atomic<uint64_t> next_connection_id_{0};
  std::mutex mutex_;
  std::condition_variable drained_;
  std::atomic<size_t> in_flight_{0};
  bool stopped_ = false;
  int port_ = 0;
  int tls_port_ = -1;
  WorkerPool pool_;
  std::unique_ptr<asio::ssl::context> tls_context_;
  // Destroyed explicitly in Stop(), acceptors first: destroying the
  // io_context destroys the sessions its pending handlers still own.
  std::unique_ptr<asio::io_context> ioc_;
  std::vector<Listener> listeners_;
  std::vector<std::thread> io_threads_;
};

namespace {

// One connection, plain (PlainStream) or HTTPS (TlsStream). All its
// handlers run on its strand; a handler thread only posts the finished
// response back to it.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  // `buffer`: bytes of the connection read already.
  Session(Stream stream, HttpFrontEnd::Impl* front, uint64_t id,
          beast::flat_buffer buffer = {})
      : stream_(std::move(stream)),
        front_(front),
        id_(id),
        buffer_(std::move(buffer)) {
    front_->ConnectionOpened();
  }
  ~Session() { front_->ConnectionClosed(); }

  void Start() {
    Handshake([self = this->shared_from_this()] { self->WaitForRequest(); });
  }

  // Answers `status` without reading a request, then closes.
  void Refuse(int status, std::string message) {
    Handshake([self = this->shared_from_this(), status,
               message = std::move(message)] {
      self->Fail(status, message, HttpRequest{});
    });
  }

 private:
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  const HttpFrontEndOptions& options() const { return front_->options(); }
  tcp::socket& socket() { return beast::get_lowest_layer(stream_).socket(); }
  void ExpiresAfter(std::chrono::milliseconds timeout) {
    beast::get_lowest_layer(stream_).expires_after(timeout);
  }

  // The TLS handshake, over what the detector read already, then `then`;
  // for a plain connection, `then` at once. A failed handshake (a client
  // that does not trust the certificate, or no TLS at all) has nobody to
  // answer: the connection just closes.
  template <typename Then>
  void Handshake(Then then) {
    if constexpr (kTls) {
      ExpiresAfter(options().request_deadline);
      stream_.async_handshake(
          asio::ssl::stream_base::server, buffer_.data(),
          [self = shared_from_this(), then = std::move(then)](
              beast::error_code ec, size_t used) {
            if (ec) return;
            self->buffer_.consume(used);
            then();
          });
    } else {
      then();
    }
  }

  // An idle keep-alive connection may wait for its next request for
  // `keep_alive`; from the request's first byte, the whole of it must arrive
  // within `request_deadline`.
  void WaitForRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options().max_header_bytes));
    parser_->body_limit(options().max_body_bytes);
    if (buffer_.size() > 0) {  // pipelined: the next request is here already
      ReadHeader();
      return;
    }
    ExpiresAfter(options().keep_alive);
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          if (ec) return;  // idle timeout, the client closed, or Stop()
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    ExpiresAfter(options().request_deadline);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) {
      OnReadError(ec);
      return;
    }
    const auto& header = parser_->get();
    const HttpRequest partial = ToRequest(header);
    if (partial.headers.size() > options().max_header_count) {
      Fail(431,
           "The request has more than " +
               std::to_string(options().max_header_count) + " header fields.",
           partial);
      return;
    }
    // MNS and POP clients never compress request bodies; inflating one would
    // let a small request claim unbounded memory before it is authenticated.
    if (auto encoding = partial.Header("Content-Encoding");
        encoding &&
        !EqualsIgnoreCase(TrimAsciiWhitespace(*encoding), "identity")) {
      Fail(415,
           "Content-Encoding " + *encoding +
               " is not supported: send the body uncompressed.",
           partial);
      return;
    }
    if (EqualsIgnoreCase(partial.Header("Expect").value_or(""),
                         "100-continue") &&
        !parser_->is_done()) {
      asio::async_write(
          stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
          [self = shared_from_this()](beast::error_code ec, size_t) {
            if (!ec) self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) {
                         self->OnReadError(ec);
                         return;
                       }
                       self->Dispatch();
                     });
  }

  void OnReadError(beast::error_code ec) {
    // Nothing to answer: the client went away, the deadline passed (the
    // stream is closed already), or Stop() cancelled the read.
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      return;
    }
    // Whatever fields were parsed, even when the header did not finish (a
    // body over the limit is found before Beast marks the header done): they
    // tell the renderer which protocol to answer in.
    const HttpRequest partial = ToRequest(parser_->get());
    if (ec == http::error::header_limit) {
      Fail(431,
           "The request line and headers are larger than " +
               std::to_string(options().max_header_bytes) + " bytes.",
           partial);
    } else if (ec == http::error::body_limit) {
      Fail(413,
           "The request body is larger than " +
               std::to_string(options().max_body_bytes) + " bytes.",
           partial);
    } else if (ec == http::error::partial_message) {
      return;  // the client closed mid-request
    } else {
      Fail(400, "The request could not be read: " + ec.message() + ".",
           partial);
    }
  }

  void Dispatch() {
    http::request<http::string_body> message = parser_->release();
    HttpRequest request = ToRequest(message);
    request.body = std::move(message.body());
    request.connection_id = id_;
    const bool keep_alive = message.keep_alive();
    front_->ResponseStarted();
    if (std::optional<HttpResponse> now = front_->AnswerNow(request)) {
      Write(*std::move(now), keep_alive);
      return;
    }
    auto task = [self = shared_from_this(), request = std::move(request),
                 keep_alive]() {
      HttpResponse response = self->front_->Handle(request);
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response), keep_alive]() mutable {
                   self->Write(std::move(response), keep_alive);
                 });
    };
    if (!front_->Enqueue(std::move(task))) front_->ResponseEnded();
  }

  void Write(HttpResponse response, bool keep_alive) {
    if (response.delivery == HttpResponse::Delivery::kClose) {
      front_->ResponseEnded();
      Close();
      return;
    }
    if (response.delivery == HttpResponse::Delivery::kTruncate) {
      WriteTruncated(std::move(response));
      return;
    }
    auto message = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), 11);
    for (auto& [name, value] : response.headers) message->insert(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive);
    message->prepare_payload();
    ExpiresAfter(options().write_timeout);
    http::async_write(
        stream_, *message,
        [self = shared_from_this(), message](beast::error_code ec, size_t) {
          self->front_->ResponseEnded();
          if (ec) return;
          if (!message->keep_alive()) {
            self->Linger();
            return;
          }
          self->WaitForRequest();
        });
  }

  // The head as it would go, and half the body, then a close: what a
  // client sees when a server or a proxy dies mid-response.
  void WriteTruncated(HttpResponse response) {
    http::response<http::string_body> message(
        static_cast<http::status>(response.status), 11);
    for (auto& [name, value] : response.headers) message.insert(name, value);
    message.body() = std::move(response.body);
    message.prepare_payload();
    std::ostringstream whole;
    whole << message;
    std::string text = whole.str();
    const size_t head = text.find("\r\n\r\n") + 4;
    text.resize(head + (text.size() - head) / 2);
    auto bytes = std::make_shared<std::string>(std::move(text));
    ExpiresAfter(options().write_timeout);
    asio::async_write(
        stream_, asio::buffer(*bytes),
        [self = shared_from_this(), bytes](beast::error_code, size_t) {
          self->front_->ResponseEnded();
          self->Close();
        });
  }

  void Close() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  // Writes an error response and closes: after a framing error nothing
  // later on this connection can be trusted to start where we think.
  void Fail(int status, const std::string& message,
            const HttpRequest& partial) {
    front_->ResponseStarted();
    Write(front_->RenderError(status, message, partial), /*keep_alive=*/false);
  }

  // Half-closes, then reads and discards until the client closes or
  // kLingerTime passes. Over TLS the half-close is a close_notify, and the
  // wait is for the client's.
  void Linger() {
    ExpiresAfter(kLingerTime);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = shared_from_this()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ignored;
      socket().shutdown(tcp::socket::shutdown_send, ignored);
      Discard();
    }
  }
  void Discard() {
    buffer_.consume(buffer_.size());
    stream_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!ec) self->Discard();
        });
  }

  static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

  Stream stream_;
  HttpFrontEnd::Impl* front_;
  const uint64_t id_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
};

// A new connection on an HTTPS port, until its first bytes say whether it
// speaks TLS: then an HTTPS session, or a plain one that answers 400.
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
 public:
  TlsDetector(tcp::socket socket, HttpFrontEnd::Impl* front, uint64_t id)
      : stream_(std::move(socket)), front_(front), id_(id) {
    front_->ConnectionOpened();
  }
  ~TlsDetector() { front_->ConnectionClosed(); }

  void Start() {
    stream_.expires_after(front_->options().request_deadline);
    beast::async_detect_ssl(
        stream_, buffer_,
        [self = shared_from_this()](beast::error_code ec, bool tls) {
          if (ec) return;  // closed or timed out before a byte came
          self->HandOver(tls);
        });
  }

 private:
  void HandOver(bool tls) {
    if (tls) {
      std::make_shared<Session<TlsStream>>(
          TlsStream(std::move(stream_), front_->tls_context()), front_, id_,
          std::move(buffer_))
          ->Start();
      return;
    }
    std::make_shared<Session<PlainStream>>(std::move(stream_), front_, id_,
                                           std::move(buffer_))
        ->Refuse(400,
                 "This port speaks HTTPS: send the request with https://.");
  }

  PlainStream stream_;
  HttpFrontEnd::Impl* front_;
  const uint64_t id_;
  beast::flat_buffer buffer_;
};

}  // namespace

// Runs `handle`; an exception becomes a logged 500, never a dead thread.
template <typename Handler>
auto Guarded(const Handler& handle, const HttpRequest& request,
             const ErrorRenderer& render_error) -> decltype(handle(request)) {
  try {
    return handle(request);
  } catch (const std::exception& e) {
    Log("a handler failed on " + request.method + " " + request.target + ": " +
        e.what());
  } catch (...) {
    Log("a handler failed on " + request.method + " " + request.target);
  }
  return render_error(500, "Interal error.", request);
}

HttpResponse HttpFrontEnd::Impl::Handle(const HttpRequest& request) const {
  return Guarded(handler_, request, render_error_);
}

std::optional<HttpResponse> HttpFrontEnd::Impl::AnswerNow(
    const HttpRequest& request) const {
  if (!options_.answer_now) return std::nullopt;
  return Guarded(options_.answer_now, request, render_error_);
}

StatusOr<int> HttpFrontEnd::Impl::Bind(int port, bool tls) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot listen on " + options_.host + ": " + ec.message());
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(port));
  auto acceptor = std::make_unique<tcp::acceptor>(*ioc_);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + options_.host + ":" +
                      std::to_string(port) + ": " + ec.message());
  }
  const int bound = acceptor->local_endpoint().port();
  listeners_.push_back({.acceptor = std::move(acceptor), .tls = tls});
  return bound;
}

Status HttpFrontEnd::Impl::MakeTlsContext() {
  namespace ssl = asio::ssl;
  tls_context_ = std::make_unique<ssl::context>(ssl::context::tls_server);
  beast::error_code ec;
  tls_context_->set_options(
      ssl::context::default_workarounds | ssl::context::no_sslv2 |
          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
          ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
      ec);
  const PemPair& identity = options_.tls_identity;
  if (!ec) {
    tls_context_->use_certificate_chain(asio::buffer(identity.certificate), ec);
  }
  if (!ec) {
    tls_context_->use_private_key(asio::buffer(identity.private_key),
                                  ssl::context::pem, ec);
  }
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot serve the TLS certificate: " + ec.message());
  }
  return OkStatus();
}

Status HttpFrontEnd::Impl::Listen() {
  if (options_.port_tls || options_.tls_port >= 0) {
    MNS_RETURN_IF_ERROR(MakeTlsContext());
  }
  MNS_ASSIGN_OR_RETURN(port_, Bind(options_.port, options_.port_tls));
  if (options_.tls_port >= 0) {
    MNS_ASSIGN_OR_RETURN(tls_port_, Bind(options_.tls_port, /*tls=*/true));
  }
  for (Listener& listener : listeners_) Accept(listener);
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { RunIo(); });
  }
  return OkStatus();
}

void HttpFrontEnd::Impl::RunIo() {
  // No exception may end a thread the emulator started.
  while (true) {
    try {
      ioc_->run();
      return;
    } catch (const std::exception& e) {
      Log(std::string("an I/O handler failed: ") + e.what());
    }
  }
}

void HttpFrontEnd::Impl::Accept(Listener& listener) {
  tcp::acceptor& acceptor = *listener.acceptor;
  acceptor.async_accept(asio::make_strand(*ioc_), [this, &listener](
                                                      beast::error_code ec,
                                                      tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !listener.acceptor->is_open()) {
      return;
    }
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      const uint64_t id = ++next_connection_id_;
      if (connections_ >= options_.max_connections) {
        const std::string busy = "The emulator has " +
                                 std::to_string(options_.max_connections) +
                                 " connections open; try again later.";
        if (listener.tls) {
          std::make_shared<Session<TlsStream>>(
              TlsStream(PlainStream(std::move(socket)), *tls_context_), this,
              id)
              ->Refuse(503, busy);
        } else {
          std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)),
                                                 this, id)
              ->Refuse(503, busy);
        }
      } else if (listener.tls) {
        std::make_shared<TlsDetector>(std::move(socket), this, id)->Start();
      } else {
        std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)),
                                               this, id)
            ->Start();
      }
    } else {
      // Out of descriptors, most likely: back off rather than spin.
      Log("accept failed: " + ec.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Accept(listener);
  });
}

void HttpFrontEnd::Impl::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopped_ || !ioc_) return;
    stopped_ = true;
  }
  asio::post(*ioc_, [this] {
    beast::error_code ignored;
    for (Listener& listener : listeners_) listener.acceptor->close(ignored);
  });
  // Handlers return promptly once the caller has ended parked long polls;
  // their responses are posted to the sessions, so give them a moment.
  pool_.Shutdown();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    drained_.wait_for(lock, kStopGrace, [this] { return in_flight_ == 0; });
  }
  ioc_->stop();
  for (std::thread& thread : io_threads_) thread.join();
  io_threads_.clear();
  listeners_.clear();
  ioc_.reset();
}

HttpFrontEnd::HttpFrontEnd(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

HttpFrontEnd::~HttpFrontEnd() = default;

StatusOr<std::unique_ptr<HttpFrontEnd>> HttpFrontEnd::Start(
    HttpFrontEndOptions options, RequestHandler handler,
    ErrorRenderer render_error) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler),
                                     std::move(render_error));
  MNS_RETURN_IF_ERROR(impl->Listen());
  return std::unique_ptr<HttpFrontEnd>(new HttpFrontEnd(std::move(impl)));
}

void HttpFrontEnd::Stop() { impl_->Stop(); }

int HttpFrontEnd::port() const { return impl_->port(); }

int HttpFrontEnd::tls_port() const { return impl_->tls_port(); }

size_t HttpFrontEnd::open_connections() const {
  return impl_->open_connections();
}

}  // namespace mns::emulator
