#include "emulator/testing/mns_test_client.h"

#include <map>
#include <regex>

#include "client/src/mns_signer.h"
#include "mns/common/crypto.h"
#include "mns/common/time_format.h"

namespace mns::emulator::testutil {

std::string Reply::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string Reply::Xml(const std::string& name) const {
  std::smatch m;
  std::regex re("<" + name + ">([^<]*)</" + name + ">");
  return std::regex_search(body, m, re) ? m[1].str() : "";
}

std::string CompactXml(const std::string& xml) {
  std::string out = std::regex_replace(xml, std::regex(R"(>\n\s*<)"), "><");
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

MnsTestClient::MnsTestClient(int port, TestKeyPair credentials)
    : credentials_(std::move(credentials)),
      port_(port),
      http_(std::make_unique<httplib::Client>("127.0.0.1", port)) {
  http_->set_url_encode(false);
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);
  http_->set_read_timeout(40, 0);
}

httplib::Request MnsTestClient::Sign(const std::string& method,
                                     const std::string& target,
                                     const std::string& body,
                                     httplib::Headers headers,
                                     const TestKeyPair& credentials) const {
  httplib::Request req;
  req.method = method;
  req.path = target;
  req.body = body;
  req.headers = std::move(headers);
  if (!req.has_header("Date")) {
    req.headers.emplace("Date", FormatHttpDate(clock_.Now()));
  }
  if (!req.has_header("x-mns-version")) {
    req.headers.emplace("x-mns-version", "2015-06-06");
  }
  if (!body.empty()) {
    req.headers.emplace("Content-Type", "text/xml");
    if (!req.has_header("Content-MD5")) {
      req.headers.emplace("Content-MD5", Base64Encode(HexLower(Md5(body))));
    }
  }
  if (!req.has_header("Authorization")) {
    // Signed by the client's signer, which fixtures/signing pins; the
    // emulator's verifier is the independent side.
    internal::Headers headers(req.headers.begin(), req.headers.end());
    req.headers.emplace("Authorization", internal::MnsV2Authorization(
                                             credentials.id, credentials.secret,
                                             internal::MnsV2StringToSign(
                                                 method, headers, target)));
  }
  return req;
}

Reply MnsTestClient::Call(const std::string& method, const std::string& target,
                          const std::string& body, httplib::Headers extra) {
  return Call(method, target, body, std::move(extra), credentials_);
}

Reply MnsTestClient::Call(const std::string& method, const std::string& target,
                          const std::string& body, httplib::Headers extra,
                          const TestKeyPair& credentials) {
  httplib::Request request =
      Sign(method, target, body, std::move(extra), credentials);
  if (absolute_form_) {
    request.path = "http://127.0.0.1:" + std::to_string(port_) + target;
  }
  auto result = http_->send(request);
  if (!result) return {};
  return Reply{result->status, result->headers, result->body};
}

std::string MnsTestClient::RawRequest(const std::string& method,
                                      const std::string& target,
                                      const std::string& body) const {
  httplib::Request req = Sign(method, target, body, {}, credentials_);
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : req.headers) {
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return out;
}

}  // namespace mns::emulator::testutil
