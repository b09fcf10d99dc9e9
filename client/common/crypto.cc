#include "mns/common/crypto.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>

namespace mns {
namespace {

// OpenSSL 3 looks an algorithm up by name, under a lock, on every implicit
// use (EVP_md5(), HMAC()); fetching each once halves the cost of a hash on
// the request path.
const EVP_MD* FetchDigest(const char* name) {
  return EVP_MD_fetch(nullptr, name, nullptr);
}

// An HMAC context with its digest set, to be duplicated per call.
const EVP_MAC_CTX* HmacPrototype(const char* digest) {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                       const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  EVP_MAC_CTX_set_params(ctx, params);
  return ctx;
}

std::string Hmac(const EVP_MAC_CTX* prototype, std::string_view key,
                 std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t out_len = 0;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(prototype);
  EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()),
               key.size(), nullptr);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  EVP_MAC_final(ctx, out, &out_len, sizeof(out));
  EVP_MAC_CTX_free(ctx);
  return std::string(reinterpret_cast<char*>(out), out_len);
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  EVP_Digest(data.data(), data.size(), out, &out_len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), out_len);
}

std::string Hex(std::string_view bytes, const char* digits) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

}  // namespace

std::string HmacSha1(std::string_view key, std::string_view data) {
  static const EVP_MAC_CTX* prototype = HmacPrototype("SHA1");
  return Hmac(prototype, key, data);
}
std::string HmacSha256(std::string_view key, std::string_view data) {
  static const EVP_MAC_CTX* prototype = HmacPrototype("SHA256");
  return Hmac(prototype, key, data);
}
std::string Md5(std::string_view data) {
  static const EVP_MD* md = FetchDigest("MD5");
  return Digest(md, data);
}
std::string Sha256(std::string_view data) {
  static const EVP_MD* md = FetchDigest("SHA256");
  return Digest(md, data);
}

std::string HexLower(std::string_view bytes) {
  return Hex(bytes, "0123456789abcdef");
}
std::string HexUpper(std::string_view bytes) {
  return Hex(bytes, "0123456789ABCDEF");
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(n);
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  for (char c : text) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return std::nullopt;
  }
  std::string out(3 * text.size() / 4, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace mns
