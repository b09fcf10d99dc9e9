#include "emulator/service/notification_signer.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <vector>

#include "mns/common/crypto.h"

namespace mns::emulator {
namespace {

Status OpenSslError(const std::string& what) {
  return Status(StatusCode::kInternal, "notification signing key: " + what);
}

}  // namespace

struct NotificationSigner::Keys {
  ~Keys() {
    EVP_PKEY_free(key);
    X509_free(certificate);
  }
  EVP_PKEY* key = nullptr;
  X509* certificate = nullptr;
  std::string pem;
  std::mutex sign_mutex;  // an EVP_PKEY is not to be shared by signers
};

NotificationSigner::NotificationSigner() = default;
NotificationSigner::~NotificationSigner() = default;

Status NotificationSigner::Ensure() {
  std::call_once(made_, [this] {
    auto keys = std::make_unique<Keys>();
    // UNCONFIRMED: the cloud's key size (spec topic §10 item 21).
    keys->key = EVP_RSA_gen(2048);
    if (keys->key == nullptr) {
      make_status_ = OpenSslError("RSA key generation failed");
      return;
    }
    X509* cert = keys->certificate = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -24 * 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert, keys->key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(
                                   "mns-emulator notification signing"),
                               -1, -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, keys->key, EVP_sha256()) == 0) {
      make_status_ = OpenSslError("self-signing the certificate failed");
      return;
    }
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    keys->pem.assign(data, static_cast<size_t>(size));
    BIO_free(bio);
    keys_ = std::move(keys);
  });
  return make_status_;
}

StatusOr<std::string> NotificationSigner::Sign(
    const std::string& string_to_sign) {
  MNS_RETURN_IF_ERROR(Ensure());
  std::lock_guard<std::mutex> lock(keys_->sign_mutex);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  size_t size = 0;
  std::vector<unsigned char> signature;
  bool ok = EVP_DigestSignInit(context, nullptr, EVP_sha1(), nullptr,
                               keys_->key) == 1 &&
            EVP_DigestSign(
                context, nullptr, &size,
                reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                string_to_sign.size()) == 1;
  if (ok) {
    signature.resize(size);
    ok = EVP_DigestSign(
             context, signature.data(), &size,
             reinterpret_cast<const unsigned char*>(string_to_sign.data()),
             string_to_sign.size()) == 1;
  }
  EVP_MD_CTX_free(context);
  if (!ok) return OpenSslError("signing failed");
  return Base64Encode(
      std::string_view(reinterpret_cast<const char*>(signature.data()), size));
}

StatusOr<std::string> NotificationSigner::CertificatePem() {
  MNS_RETURN_IF_ERROR(Ensure());
  return keys_->pem;
}

}  // namespace mns::emulator
