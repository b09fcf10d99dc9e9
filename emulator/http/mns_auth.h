// The emulator's MNS V2 signature verifier (spec mns §2.1), written from the
// spec independently of the client's signer; both are pinned by
// fixtures/signing/mns_v2.json. Pure functions, thread-safe.
#ifndef MNS_EMULATOR_HTTP_MNS_AUTH_H_
#define MNS_EMULATOR_HTTP_MNS_AUTH_H_

#include <optional>
#include <string>
#include <string_view>

#include "emulator/http/wire.h"

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

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_MNS_AUTH_H_
