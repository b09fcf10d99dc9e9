// The emulator's MNS V2 signature verifier (spec mns §2.1), written from the
// spec independently of the client's signer; both are pinned by
// fixtures/signing/mns_v2.json. Pure functions, thread-safe.
#ifndef MNS_EMULATOR_HTTP_MNS_AUTH_H_
#define MNS_EMULATOR_HTTP_MNS_AUTH_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/core/api_version.h"
#include "emulator/http/auth_policy.h"
#include "emulator/http/wire.h"
#include "emulator/service/credentials.h"
#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

// VERB, Content-MD5, Content-Type and Date lines, every x-mns-* header
// (lower-cased name, trimmed value, sorted by name), then the request-target
// exactly as received. The Date line is the Date header, or x-mns-date when
// Date is absent (spec mns §2.1 rule 4, UNCONFIRMED).
std::string MnsStringToSign(const HttpRequest& request);

// base64(HMAC-SHA1(secret, string_to_sign)).
std::string MnsSignature(std::string_view secret,
                         std::string_view string_to_sign);

struct MnsAuthorization {
  std::string access_key_id;
  std::string signature;
};

// Parses "MNS <AccessKeyId>:<Signature>"; nullopt if malformed.
std::optional<MnsAuthorization> ParseMnsAuthorization(std::string_view header);

struct MnsAuthOptions {
  AuthPolicy policy;
  // The code for a request signed with expired temporary credentials.
  std::string expired_token_code = "SecurityTokenExpired";
  // Log the string to sign the server computed for each
  // SignatureDoesNotMatch (--log-level debug), security token redacted.
  bool log_string_to_sign = false;
};

// Who sent an MNS request: checks the Authorization, Date and x-mns-version
// headers, the signature, and for temporary credentials the security token
// and its expiry (spec mns §2.1, alicom §3). What the principal may touch is
// Principal::Allows(), checked by the API that knows the resource.
// Thread-safe.
class MnsAuthenticator {
 public:
  // `date_clock` is what Date is checked against (the real time: SDKs sign
  // with theirs); `token_clock` is what token expiry follows (the
  // emulator's clock). Pointers must outlive this.
  MnsAuthenticator(const CredentialStore* credentials, const Clock* date_clock,
                   const Clock* token_clock, MnsAuthOptions options);

  StatusOr<Principal> Authenticate(const HttpRequest& request) const;

 private:
  const CredentialStore* credentials_;
  const Clock* date_clock_;
  const Clock* token_clock_;
  const MnsAuthOptions options_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_MNS_AUTH_H_
