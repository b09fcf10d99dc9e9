#include "emulator/service/notifier.h"

#include <httplib.h>

namespace mns::emulator {
namespace {

class HttpNotifier : public Notifier {
 public:
  explicit HttpNotifier(bool verify_tls) : verify_tls_(verify_tls) {}

  OutboundResult Post(const OutboundRequest& request) override {
    httplib::Client client(request.origin);
    client.enable_server_certificate_verification(verify_tls_);
    const auto seconds =
        std::chrono::duration_cast<std::chrono::microseconds>(request.timeout)
            .count();
    client.set_connection_timeout(seconds / 1'000'000, seconds % 1'000'000);
    client.set_read_timeout(seconds / 1'000'000, seconds % 1'000'000);
    client.set_write_timeout(seconds / 1'000'000, seconds % 1'000'000);
    client.set_keep_alive(false);
    httplib::Headers headers;
    for (const auto& [name, value] : request.headers) {
      headers.emplace(name, value);
    }
    auto reply = client.Post(request.target, headers, request.body,
                             request.content_type);
    if (!reply) return {.error = httplib::to_string(reply.error())};
    return {.status = reply->status};
  }

 private:
  const bool verify_tls_;
};

}  // namespace

std::unique_ptr<Notifier> MakeHttpNotifier(bool verify_tls) {
  return std::make_unique<HttpNotifier>(verify_tls);
}

}  // namespace mns::emulator
