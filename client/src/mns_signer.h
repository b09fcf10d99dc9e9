// The client's MNS V2 signer (spec mns §2.1), written from the spec
// independently of the emulator's verifier and pinned by the same
// fixtures/signing/mns_v2.json. Pure functions, thread-safe.
#ifndef MNS_CLIENT_SRC_MNS_SIGNER_H_
#define MNS_CLIENT_SRC_MNS_SIGNER_H_

#include <string>
#include <utility>
#include <vector>

namespace mns::internal {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The string to sign for a request with these headers and request target.
std::string MnsV2StringToSign(const std::string& method, const Headers& headers,
                              const std::string& target);

// "MNS <id>:<base64 HMAC-SHA1(secret, string to sign)>"
std::string MnsV2Authorization(const std::string& access_key_id,
                               const std::string& access_key_secret,
                               const std::string& string_to_sign);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_MNS_SIGNER_H_
