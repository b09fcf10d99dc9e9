// The client's MNS V2 signer (spec mns §2.1), written from the spec
// independently of the emulator's verifier and pinned by the same
// fixtures/signing/mns_v2.json. Pure functions, thread-safe.
#ifndef MNS_CLIENT_SRC_MNS_SIGNER_H_
#define MNS_CLIENT_SRC_MNS_SIGNER_H_

#include <string>
#include <utility>
#include <vector>

#include "mns/common/clock.h"
#include "mns/credentials.h"

namespace mns::internal {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The string to sign for a request with these headers and request target.
std::string MnsV2StringToSign(const std::string& method, const Headers& headers,
                              const std::string& target);

// "MNS <id>:<base64 HMAC-SHA1(secret, string to sign)>"
std::string MnsV2Authorization(const std::string& access_key_id,
                               const std::string& access_key_secret,
                               const std::string& string_to_sign);

inline constexpr char kMnsVersion[] = "2015-06-06";

// The headers of an MNS request signed at `now`, as the SDKs send them:
// Date, x-mns-version, Content-Type and Content-MD5 when there is a body,
// `extra`, the Authorization, and last the unsigned security-token of
// temporary credentials (spec mns §2.2).
Headers SignedMnsHeaders(const std::string& method, const std::string& target,
                         const std::string& body, const Headers& extra,
                         const Credentials& credentials, TimePoint now);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_MNS_SIGNER_H_
