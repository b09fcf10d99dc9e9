// MnsTestClient: a minimal signed MNS client for the emulator's own tests and
// benchmarks. Its signer is written here from spec mns §2.1, independently of
// the emulator's verifier, as the SDKs sign: Content-MD5 is base64 of the hex
// digest and the resource is the request-target exactly as sent. One client
// is one keep-alive connection; not thread-safe (use one per thread).
#ifndef MNS_EMULATOR_TESTING_MNS_TEST_CLIENT_H_
#define MNS_EMULATOR_TESTING_MNS_TEST_CLIENT_H_

#include <httplib.h>

#include <memory>
#include <string>

#include "mns/common/clock.h"

namespace mns::emulator::testutil {

struct Reply {
  int status = 0;  // 0: transport error
  httplib::Headers headers;
  std::string body;

  std::string Header(const std::string& name) const;
  // The text of the first <name> element, or "".
  std::string Xml(const std::string& name) const;
  std::string ErrorCode() const { return Xml("Code"); }
};

// `xml` with the pretty-printing between elements removed, for comparing a
// whole body with a one-line expectation.
std::string CompactXml(const std::string& xml);

struct TestKeyPair {
  std::string id = "mns-emulator-key";
  std::string secret = "mns-emulator-secret";
};

class MnsTestClient {
 public:
  explicit MnsTestClient(int port, TestKeyPair credentials = {});

  // Sends a signed request. Headers in `extra` are sent as given and signed
  // if they are x-mns-*; a given Date, x-mns-version or Authorization
  // replaces the one the client would add.
  Reply Call(const std::string& method, const std::string& target,
             const std::string& body = "", httplib::Headers extra = {});
  Reply Call(const std::string& method, const std::string& target,
             const std::string& body, httplib::Headers extra,
             const TestKeyPair& credentials);

  // The signed request as raw HTTP/1.1 bytes, for tests on raw sockets.
  std::string RawRequest(const std::string& method, const std::string& target,
                         const std::string& body = "") const;

  httplib::Client& http() { return *http_; }

  // Writes the request-target in absolute form ("http://host:port/queues"),
  // as a client sending through an HTTP proxy does (RFC 9112 §3.2.2); the
  // signature still covers the path.
  void set_absolute_form(bool on) { absolute_form_ = on; }

 private:
  httplib::Request Sign(const std::string& method, const std::string& target,
                        const std::string& body, httplib::Headers headers,
                        const TestKeyPair& credentials) const;

  TestKeyPair credentials_;
  int port_;
  bool absolute_form_ = false;
  SystemClock clock_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace mns::emulator::testutil

#endif  // MNS_EMULATOR_TESTING_MNS_TEST_CLIENT_H_
