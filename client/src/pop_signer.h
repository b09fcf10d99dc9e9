// The client's POP RPC signers (spec alicom §2.1, §2.3), written from the
// spec independently of the emulator's verifiers and pinned by the same
// fixtures/signing/pop_v1.json and pop_v3.json. Pure functions, thread-safe.
#ifndef MNS_CLIENT_SRC_POP_SIGNER_H_
#define MNS_CLIENT_SRC_POP_SIGNER_H_

#include <map>
#include <string>
#include <string_view>

#include "mns/common/clock.h"
#include "mns/credentials.h"

namespace mns::internal {

// UTF-8 bytes; A-Z a-z 0-9 - _ . ~ kept, all else %XX (uppercase).
std::string PopPercentEncode(std::string_view text);

// The canonical query "k=v&..." of `params` (sorted, both sides encoded).
std::string PopCanonicalQuery(const std::map<std::string, std::string>& params);

// V1: METHOD&%2F&enc(canonical query without Signature).
std::string PopV1StringToSign(const std::string& method,
                              const std::map<std::string, std::string>& params);
// base64(HMAC-SHA1(secret + "&", string_to_sign))
std::string PopV1Sign(const std::string& secret,
                      const std::string& string_to_sign);

// The query string of a V1-signed GET of `params` (Action, Version and the
// call's own) with the common parameters added: Format=JSON, AccessKeyId,
// HMAC-SHA1 1.0, `nonce`, the Timestamp of `now`, the SecurityToken of
// temporary credentials, and the Signature.
std::string PopV1SignedQuery(std::map<std::string, std::string> params,
                             const Credentials& credentials,
                             const std::string& nonce, TimePoint now);

// V3: the canonical request for a request to "/" with these query parameters
// and signed headers (lower-case names), and the hex SHA-256 of the body.
std::string PopV3CanonicalRequest(
    const std::string& method, const std::map<std::string, std::string>& query,
    const std::map<std::string, std::string>& headers,
    const std::string& body_sha256_hex);
// hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA256(canonical))))
std::string PopV3Sign(const std::string& secret,
                      const std::string& canonical_request);

}  // namespace mns::internal

#endif  // MNS_CLIENT_SRC_POP_SIGNER_H_
