// The emulator's POP RPC signature verifiers (spec alicom §2.1, §2.3),
// written from the spec independently of the client's signers; both are
// pinned by fixtures/signing/pop_v1.json and pop_v3.json. Pure functions,
// thread-safe. PopAuthenticator applies them, with the gateway's other
// checks, to a request.
#ifndef MNS_EMULATOR_HTTP_POP_AUTH_H_
#define MNS_EMULATOR_HTTP_POP_AUTH_H_

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "emulator/http/auth_policy.h"
#include "emulator/http/wire.h"
#include "emulator/service/credentials.h"
#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

// POP's percent-encoding: UTF-8 bytes; A-Z a-z 0-9 - _ . ~ stay, everything
// else is %XX with uppercase hex.
std::string PopEncode(std::string_view text);

// Form-style parameters: pairs split on the first '=', '+' read as a space,
// then percent-decoded. Later duplicates are ignored.
void ParseFormParams(std::string_view text,
                     std::map<std::string, std::string>& params);

// V1: METHOD "&%2F&" enc(canonical), where canonical is the sorted
// "enc(k)=enc(v)" pairs of every parameter but Signature, empty values kept.
std::string PopV1StringToSign(const std::string& method,
                              const std::map<std::string, std::string>& params);
// base64(HMAC-SHA1(secret + "&", string_to_sign))
std::string PopV1Signature(std::string_view secret,
                           std::string_view string_to_sign);

struct AcsAuthorization {
  std::string access_key_id;
  std::vector<std::string> signed_headers;  // lower-case, as listed
  std::string signature;
};
// Parses "ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=a;b,Signature=hex".
std::optional<AcsAuthorization> ParseAcsAuthorization(std::string_view header);

// V3 canonical request: METHOD \n path \n sorted "k=enc(v)" query \n
// "name:value\n" per signed header \n signed header list \n payload hash.
std::string PopV3CanonicalRequest(
    const HttpRequest& request, const std::map<std::string, std::string>& query,
    const std::vector<std::string>& signed_headers);
// "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical_request))
std::string PopV3StringToSign(std::string_view canonical_request);
// hex(HMAC-SHA256(secret, string_to_sign)); no '&' on the secret.
std::string PopV3Signature(std::string_view secret,
                           std::string_view string_to_sign);

// Whether `request` is signed with V3: its Authorization names
// ACS3-HMAC-SHA256, and Action and Version travel in x-acs-* headers.
bool IsPopV3(const HttpRequest& request);

// The parameters of a POP call, percent-decoded.
struct PopParams {
  std::map<std::string, std::string> all;    // query + form
  std::map<std::string, std::string> query;  // query only: what V3 signs

  const std::string* Find(const std::string& name) const {
    auto it = all.find(name);
    return it == all.end() ? nullptr : &it->second;
  }
};

// Who sent a POP call: the gateway's checks in the order of spec alicom
// §2.4 — mandatory parameters, Timestamp format, a known long-term key, the
// clock skew, the signature (V1 or V3), then the nonce, which may not repeat
// within twice the skew. A temporary key is not a POP credential. With
// AuthMode::kOff nothing is checked: the principal is AccessKeyId's when it
// is known, else the default account. Thread-safe.
class PopAuthenticator {
 public:
  // `clock` is what Timestamp is checked against (the real time: SDKs sign
  // with theirs). Pointers must outlive this.
  PopAuthenticator(const CredentialStore* credentials, const Clock* clock,
                   AuthPolicy policy);

  StatusOr<Principal> Authenticate(const HttpRequest& request,
                                   const PopParams& params);

 private:
  StatusOr<Principal> AuthenticateV1(const HttpRequest& request,
                                     const PopParams& params);
  StatusOr<Principal> AuthenticateV3(const HttpRequest& request,
                                     const PopParams& params);
  // The key's principal and a fresh Timestamp, or the gateway's refusal.
  StatusOr<Principal> CheckKeyAndTime(const std::string& access_key_id,
                                      const std::string& timestamp) const;
  // SignatureDoesNotMatch quoting the server's string to sign, or in loose
  // mode a logged warning and OK.
  Status SignatureMismatch(const std::string& string_to_sign,
                           const std::string& access_key_id) const;
  // SignatureNonceUsed for a nonce seen within the skew window.
  Status CheckNonce(const std::string& nonce);

  const CredentialStore* credentials_;
  const Clock* clock_;
  const AuthPolicy policy_;

  // Nonces seen within twice the skew window, and the same in arrival order
  // so that expiry pops from the front: O(1) amortised per request.
  std::mutex nonce_mutex_;
  std::unordered_set<std::string> nonces_;
  std::deque<std::pair<TimePoint, std::string>> nonce_order_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_POP_AUTH_H_
