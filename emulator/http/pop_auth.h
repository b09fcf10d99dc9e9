// The emulator's POP RPC signature verifiers (spec alicom §2.1, §2.3),
// written from the spec independently of the client's signers; both are
// pinned by fixtures/signing/pop_v1.json and pop_v3.json. Pure functions,
// thread-safe.
#ifndef MNS_EMULATOR_HTTP_POP_AUTH_H_
#define MNS_EMULATOR_HTTP_POP_AUTH_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/http/wire.h"

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

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_POP_AUTH_H_
