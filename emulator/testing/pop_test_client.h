// PopTestClient: a minimal POP RPC client for the emulator's tests, signing
// with V1 (query for GET, form body for POST) as spec alicom §2.1 describes,
// written here independently of the emulator's verifier. One client is one
// keep-alive connection; not thread-safe.
#ifndef MNS_EMULATOR_TESTING_POP_TEST_CLIENT_H_
#define MNS_EMULATOR_TESTING_POP_TEST_CLIENT_H_

#include <httplib.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "emulator/testing/mns_test_client.h"
#include "mns/common/clock.h"

namespace mns::emulator::testutil {

struct PopReply {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  nlohmann::json json;  // discarded when the body is not JSON
};

class PopTestClient {
 public:
  explicit PopTestClient(int port, TestKeyPair credentials = {});

  // Calls `action` with `params`, adding and signing the common parameters.
  // Entries in `params` override the common ones (an empty value is sent
  // empty; to leave one out, name it in `omit`).
  PopReply Call(const std::string& action,
                std::map<std::string, std::string> params,
                const std::string& method = "GET",
                const std::vector<std::string>& omit = {});

  // Sends spaces as '+' rather than %20, as HTML forms do; the signature
  // still covers the decoded value.
  void set_plus_for_spaces(bool on) { plus_for_spaces_ = on; }

  // Writes the request-target in absolute form ("http://host:port/?..."), as
  // a client sending through an HTTP proxy does (RFC 9112 §3.2.2).
  void set_absolute_form(bool on) { absolute_form_ = on; }

 private:
  TestKeyPair credentials_;
  bool plus_for_spaces_ = false;
  bool absolute_form_ = false;
  int port_;
  SystemClock clock_;
  uint64_t nonce_ = 0;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace mns::emulator::testutil

#endif  // MNS_EMULATOR_TESTING_POP_TEST_CLIENT_H_
