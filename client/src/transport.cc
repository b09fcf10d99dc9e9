#include "client/src/transport.h"

#include <httplib.h>
#include <openssl/x509.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <string_view>

#include "mns/common/strings.h"

namespace mns::internal {
namespace {

class HttpTransport : public Transport {
 public:
  explicit HttpTransport(const ClientOptions& options)
      : endpoint_(options.endpoint),
        connect_timeout_(options.connect_timeout),
        ca_file_(options.ca_file),
        resolve_(options.resolve) {}

  StatusOr<HttpReply> Send(const HttpCall& call) override {
    std::unique_ptr<httplib::Client> client = Acquire();
    // stop() shuts the socket of a request in flight, so the blocked read
    // returns at once. A stop that lands after this check but before the
    // request is on the socket is missed; the call then ends with its reply.
    std::atomic<bool> stopped = false;
    httplib::Client* in_flight = client.get();
    std::optional<std::stop_callback<std::function<void()>>> on_stop;
    if (call.stop.stop_possible()) {  // most calls cannot be cancelled
      on_stop.emplace(call.stop, [&stopped, in_flight] {
        stopped = true;
        in_flight->stop();
      });
    }
    if (stopped) return Cancelled(call);
    const auto read = std::chrono::duration_cast<std::chrono::microseconds>(
        call.read_timeout);
    client->set_read_timeout(read.count() / 1'000'000,
                             read.count() % 1'000'000);
    httplib::Request req;
    req.method = call.method;
    req.path = call.target;
    req.body = call.body;
    for (const auto& [name, value] : call.headers) {
      req.headers.emplace(name, value);
    }
    auto result = client->send(req);
    // Waits for a stop() under way; none comes after, so the client can go
    // back to the pool.
    on_stop.reset();
    if (stopped) return Cancelled(call);
    if (!result) {
      return Status(StatusCode::kUnavailable,
                    "HTTP " + call.method + " " + endpoint_ + call.target +
                        " failed: " + Describe(result.error(), *client));
    }
    HttpReply reply{.status = result->status, .body = result->body};
    for (const auto& [name, value] : result->headers) {
      reply.headers.emplace_back(name, value);
    }
    Release(std::move(client));
    return reply;
  }

 private:
  // What went wrong, in words a user can act on: a TLS verification failure
  // names its reason and the setting that fixes it.
  std::string Describe(httplib::Error error, httplib::Client& client) const {
    if (error != httplib::Error::SSLServerVerification) {
      return httplib::to_string(error);
    }
    const long result = client.get_openssl_verify_result();
    const std::string reason =
        result == X509_V_OK
            ? "it does not name the host in " + endpoint_
            : std::string(X509_verify_cert_error_string(result));
    return "the server's TLS certificate is not trusted (" + reason + "); " +
           (ca_file_.empty()
                ? "set ClientOptions::ca_file (--ca-file) to the CA that "
                  "issued it, such as the emulator's ca.pem"
                : "it was checked against the CAs in " + ca_file_);
  }

  // The connection is dropped with the client: it may be mid-request.
  Status Cancelled(const HttpCall& call) const {
    return Status(StatusCode::kCancelled,
                  "HTTP " + call.method + " " + call.target + " cancelled");
  }

  std::unique_ptr<httplib::Client> Acquire() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_.empty()) {
        auto client = std::move(idle_.back());
        idle_.pop_back();
        return client;
      }
    }
    std::unique_ptr<httplib::Client> client = NewClient();
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    // Targets are signed as sent; the client must not re-encode them.
    client->set_url_encode(false);
    const auto connect =
        std::chrono::duration_cast<std::chrono::microseconds>(connect_timeout_);
    client->set_connection_timeout(connect.count() / 1'000'000,
                                   connect.count() % 1'000'000);
    if (!resolve_.empty()) client->set_hostname_addr_map(resolve_);
    if (!ca_file_.empty()) client->set_ca_cert_path(ca_file_);
    client->enable_server_certificate_verification(true);
    return client;
  }

  // For http endpoints the host and port are split here: httplib's own
  // "scheme://host:port" parser uses a function-local static std::regex,
  // which ThreadSanitizer cannot see initialised inside the prebuilt
  // library. Other schemes go to that parser, one at a time.
  std::unique_ptr<httplib::Client> NewClient() const {
    constexpr std::string_view kHttp = "http://";
    std::string_view rest = endpoint_;
    if (rest.starts_with(kHttp)) {
      rest.remove_prefix(kHttp.size());
      rest = rest.substr(0, rest.find('/'));
      const size_t colon = rest.rfind(':');
      int port = 80;
      if (colon != std::string_view::npos) {
        port = std::atoi(std::string(rest.substr(colon + 1)).c_str());
        rest = rest.substr(0, colon);
      }
      return std::make_unique<httplib::Client>(std::string(rest), port);
    }
    static std::mutex construction;
    std::lock_guard<std::mutex> lock(construction);
    return std::make_unique<httplib::Client>(endpoint_);
  }

  void Release(std::unique_ptr<httplib::Client> client) {
    std::lock_guard<std::mutex> lock(mutex_);
    idle_.push_back(std::move(client));
  }

  const std::string endpoint_;
  const Duration connect_timeout_;
  const std::string ca_file_;
  const std::map<std::string, std::string> resolve_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

}  // namespace

std::string HttpReply::Header(const std::string& name) const {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return "";
}

std::shared_ptr<Transport> MakeHttpTransport(const ClientOptions& options) {
  return std::make_shared<HttpTransport>(options);
}

}  // namespace mns::internal
