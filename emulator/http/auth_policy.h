// AuthPolicy: what MNS and POP authentication share — how strict to be, how
// far a signed time may be from the real one, and what loose mode does with
// a bad signature. Each protocol's authenticator applies it to its own
// headers and signature.
#ifndef MNS_EMULATOR_HTTP_AUTH_POLICY_H_
#define MNS_EMULATOR_HTTP_AUTH_POLICY_H_

#include <chrono>
#include <functional>
#include <string>

#include "mns/common/clock.h"

namespace mns::emulator {

enum class AuthMode {
  kStrict,  // every check; a bad signature is refused
  kLoose,   // every check, but a bad signature is only logged
  kOff,     // no checks; the account comes from a known key, else the default
};

struct AuthPolicy {
  AuthMode mode = AuthMode::kStrict;
  // MNS Date and POP Timestamp may differ from the real time by this much
  // (spec mns §1.2, alicom §2.4).
  Duration max_clock_skew = std::chrono::minutes(15);
  // With AuthMode::kOff, requests with no known key use this account.
  std::string default_account;
  // Receives warnings (a bad signature accepted in loose mode).
  std::function<void(const std::string&)> log;

  bool WithinSkew(TimePoint now, TimePoint signed_at) const {
    return std::chrono::abs(now - signed_at) <= max_clock_skew;
  }

  // Whether a bad signature is refused. In loose mode it is accepted, and
  // `what` ("a bad POP signature from <key>") is logged.
  bool RefusesBadSignature(const std::string& what) const {
    if (mode == AuthMode::kStrict) return true;
    if (log) log("auth loose: accepted " + what);
    return false;
  }
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_AUTH_POLICY_H_
