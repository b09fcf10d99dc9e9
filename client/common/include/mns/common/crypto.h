// Hashes, HMACs and Base64 over OpenSSL: the primitives both signers and
// both verifiers are built from. Pure functions, thread-safe.
#ifndef MNS_COMMON_CRYPTO_H_
#define MNS_COMMON_CRYPTO_H_

#include <optional>
#include <string>
#include <string_view>

namespace mns {

// Raw digests (binary strings).
std::string HmacSha1(std::string_view key, std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Md5(std::string_view data);
std::string Sha256(std::string_view data);

std::string HexLower(std::string_view bytes);
std::string HexUpper(std::string_view bytes);

std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; nullopt for anything else.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace mns

#endif  // MNS_COMMON_CRYPTO_H_
