#include "emulator/testing/pop_test_client.h"

#include "client/src/pop_signer.h"
#include "mns/common/time_format.h"

namespace mns::emulator::testutil {
PopTestClient::PopTestClient(int port, TestKeyPair credentials)
    : credentials_(std::move(credentials)),
      port_(port),
      http_(std::make_unique<httplib::Client>("127.0.0.1", port)) {
  http_->set_url_encode(false);
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);
}

PopReply PopTestClient::Call(const std::string& action,
                             std::map<std::string, std::string> params,
                             const std::string& method,
                             const std::vector<std::string>& omit) {
  std::map<std::string, std::string> all = {
      {"Action", action},
      {"Version", "2017-05-25"},
      {"Format", "JSON"},
      {"AccessKeyId", credentials_.id},
      {"SignatureMethod", "HMAC-SHA1"},
      {"SignatureVersion", "1.0"},
      {"SignatureNonce", "test-nonce-" + std::to_string(++nonce_) + "-" +
                             std::to_string(ToUnixMillis(clock_.Now()))},
      {"Timestamp", FormatIso8601(clock_.Now())},
  };
  for (auto& [name, value] : params) all[name] = value;
  for (const auto& name : omit) all.erase(name);
  if (all.count("Signature") == 0) {
    // Signed by the client's signer, which fixtures/signing pins.
    all["Signature"] = internal::PopV1Sign(
        credentials_.secret, internal::PopV1StringToSign(method, all));
  }
  std::string encoded;
  for (const auto& [name, value] : all) {
    std::string v = internal::PopPercentEncode(value);
    if (plus_for_spaces_) {
      for (size_t at; (at = v.find("%20")) != std::string::npos;) {
        v.replace(at, 3, "+");
      }
    }
    encoded += (encoded.empty() ? "" : "&") + internal::PopPercentEncode(name) +
               "=" + v;
  }
  const std::string root =
      absolute_form_ ? "http://127.0.0.1:" + std::to_string(port_) + "/" : "/";
  httplib::Result result =
      method == "GET"
          ? http_->Get(root + "?" + encoded)
          : http_->Post(root, encoded, "application/x-www-form-urlencoded");
  if (!result) return {};
  PopReply reply{result->status, result->headers, result->body};
  reply.json = nlohmann::json::parse(reply.body, nullptr, false);
  return reply;
}

}  // namespace mns::emulator::testutil
