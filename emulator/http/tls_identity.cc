#include "emulator/http/tls_identity.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

namespace mns::emulator {
namespace {

namespace fs = std::filesystem;

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509_free>>;
using Names = std::unique_ptr<GENERAL_NAMES, Deleter<GENERAL_NAMES_free>>;

constexpr char kCaFile[] = "ca.pem";
constexpr char kCaKeyFile[] = "ca-key.pem";
constexpr char kServerFile[] = "server.pem";
constexpr char kServerKeyFile[] = "server-key.pem";
constexpr auto kCaLifetime = std::chrono::hours(24 * 3650);
// Within what browsers accept from a CA the user installed (825 days).
constexpr auto kServerLifetime = std::chrono::hours(24 * 397);
constexpr auto kRenewBefore = std::chrono::hours(24);

// The reason OpenSSL gives for the last failure, or `fallback`.
std::string OpenSslError(const std::string& fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return fallback;
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Status Failed(const std::string& what) {
  return Status(StatusCode::kInternal, what + ": " + OpenSslError("failed"));
}

bool IsIpAddress(const std::string& name) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, name.c_str(), bytes) == 1 ||
         inet_pton(AF_INET6, name.c_str(), bytes) == 1;
}

// A DNS name as a certificate may carry it: labels of letters, digits and
// hyphens, the first of which may be "*".
bool IsDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::stringstream labels(name);
  std::string label;
  bool first = true;
  size_t count = 0;
  while (std::getline(labels, label, '.')) {
    ++count;
    const bool wildcard = first && label == "*";
    first = false;
    if (wildcard) continue;
    if (label.empty() || label.size() > 63 || label.front() == '-' ||
        label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
        return false;
      }
    }
  }
  return count > 0 && name.back() != '.' && !(name == "*");
}

std::string ToPem(const X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

std::string ToPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr,
                           nullptr);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size);
}

Cert ParseCertificate(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

Key ParseKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot read " + path.string() + ": it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  return text.str();
}

// Written beside and renamed into place, so that a crash never leaves half
// a file; keys are readable by their owner only.
Status WriteFile(const fs::path& path, const std::string& text, bool secret) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      return Status(
          StatusCode::kInvalidArgument,
          "cannot write " + partial.string() + ": " + std::strerror(errno));
    }
  }
  std::error_code ec;
  if (secret) {
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write,
                    ec);
  }
  if (!ec) fs::rename(partial, path, ec);
  if (ec) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot write " + path.string() + ": " + ec.message());
  }
  return OkStatus();
}

Status SetValidity(X509* cert, TimePoint not_before, TimePoint not_after) {
  const auto seconds = [](TimePoint t) {
    return static_cast<time_t>(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
            .count());
  };
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), seconds(not_before)) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), seconds(not_after))) {
    return Failed("cannot set the certificate's validity");
  }
  return OkStatus();
}

Status AddExtension(X509* cert, X509* issuer, int nid,
                    const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) {
    return Failed("cannot make the extension " + value);
  }
  const int added = X509_add_ext(cert, extension, -1);
  X509_EXTENSION_free(extension);
  if (!added) return Failed("cannot add the extension " + value);
  return OkStatus();
}

// A certificate with a fresh P-256 key, a random serial and `common_name`,
// not yet signed; the key comes back through `key`.
StatusOr<Cert> NewCertificate(const std::string& common_name,
                              TimePoint not_before, TimePoint not_after,
                              Key& key) {
  key.reset(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  if (!key || !cert) return Failed("cannot make a key");
  X509_set_version(cert.get(), 2);
  std::unique_ptr<BIGNUM, Deleter<BN_free>> serial(BN_new());
  if (!BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()))) {
    return Failed("cannot make a serial number");
  }
  MNS_RETURN_IF_ERROR(SetValidity(cert.get(), not_before, not_after));
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* subject = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(
      subject, "O", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("mns-emulator"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(
      subject, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0);
  return cert;
}

// Whether `cert` lists every one of `names` among its subject alternative
// names (exactly: a wildcard covers only itself here).
bool CoversNames(const X509* cert, const std::vector<std::string>& names) {
  Names listed(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!listed) return false;
  std::set<std::string> dns;
  for (int i = 0; i < sk_GENERAL_NAME_num(listed.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(listed.get(), i);
    if (name->type != GEN_DNS) continue;
    const ASN1_STRING* text = name->d.dNSName;
    dns.emplace(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                ASN1_STRING_length(text));
  }
  return std::all_of(names.begin(), names.end(), [&](const std::string& n) {
    return IsIpAddress(n)
               ? X509_check_ip_asc(const_cast<X509*>(cert), n.c_str(), 0) == 1
               : dns.contains(n);
  });
}

// Whether the server certificate on disk can be served again: signed by
// `ca_key`, matching its own key, covering `names`, and valid a day more.
bool Reusable(const PemPair& server, EVP_PKEY* ca_key,
              const std::vector<std::string>& names, TimePoint now) {
  Cert cert = ParseCertificate(server.certificate);
  Key key = ParseKey(server.private_key);
  ERR_clear_error();
  if (!cert || !key || X509_check_private_key(cert.get(), key.get()) != 1 ||
      X509_verify(cert.get(), ca_key) != 1 || !CoversNames(cert.get(), names)) {
    ERR_clear_error();
    return false;
  }
  time_t renew_at = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(
          now + kRenewBefore));
  return X509_cmp_time(X509_get0_notAfter(cert.get()), &renew_at) > 0;
}

// Reads a certificate and key from two files and checks that they belong
// together.
StatusOr<PemPair> ReadPair(const fs::path& certificate_file,
                           const fs::path& key_file) {
  MNS_ASSIGN_OR_RETURN(std::string certificate, ReadFile(certificate_file));
  MNS_ASSIGN_OR_RETURN(std::string private_key, ReadFile(key_file));
  Cert cert = ParseCertificate(certificate);
  if (!cert) {
    return Status(StatusCode::kInvalidArgument,
                  certificate_file.string() + " holds no PEM certificate");
  }
  Key key = ParseKey(private_key);
  if (!key) {
    return Status(StatusCode::kInvalidArgument,
                  key_file.string() + " holds no PEM private key");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return Status(StatusCode::kInvalidArgument,
                  "the certificate " + certificate_file.string() +
                      " does not match the key " + key_file.string());
  }
  return PemPair{std::move(certificate), std::move(private_key)};
}

}  // namespace

StatusOr<std::vector<std::string>> TlsNames(const TlsOptions& options) {
  std::vector<std::string> names = {
      "127.0.0.1",
      "::1",
      "localhost",
      "*.aliyuncs.com",
      "dysmsapi.aliyuncs.com",
      "dybaseapi.aliyuncs.com",
  };
  std::vector<std::string> regions = {"cn-hangzhou"};
  regions.insert(regions.end(), options.regions.begin(), options.regions.end());
  for (const std::string& region : regions) {
    const std::string name = "*.mns." + region + ".aliyuncs.com";
    if (region.empty() || region.find_first_of(".*") != std::string::npos ||
        !IsDnsName(name)) {
      return Status(StatusCode::kInvalidArgument,
                    "bad --tls-region \"" + region +
                        "\": a region is a name like cn-shanghai");
    }
    names.push_back(name);
  }
  for (const std::string& name : options.names) {
    if (!IsIpAddress(name) && !IsDnsName(name)) {
      return Status(StatusCode::kInvalidArgument,
                    "bad --tls-name \"" + name +
                        "\": give a DNS name (a leading *. allowed) or an IP "
                        "address");
    }
    names.push_back(name);
  }
  std::vector<std::string> unique;
  for (std::string& name : names) {
    if (std::find(unique.begin(), unique.end(), name) == unique.end()) {
      unique.push_back(std::move(name));
    }
  }
  return unique;
}

StatusOr<PemPair> CreateCertificateAuthority(TimePoint now) {
  Key key;
  MNS_ASSIGN_OR_RETURN(Cert cert, NewCertificate("mns-emulator local CA",
                                                 now - std::chrono::hours(1),
                                                 now + kCaLifetime, key));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get()));
  MNS_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(),
                                   NID_basic_constraints, "critical,CA:TRUE"));
  MNS_RETURN_IF_ERROR(AddExtension(cert.get(), cert.get(), NID_key_usage,
                                   "critical,keyCertSign,cRLSign"));
  MNS_RETURN_IF_ERROR(
      AddExtension(cert.get(), cert.get(), NID_subject_key_identifier, "hash"));
  if (!X509_sign(cert.get(), key.get(), EVP_sha256())) {
    return Failed("cannot sign the CA");
  }
  return PemPair{ToPem(cert.get()), ToPem(key.get())};
}

StatusOr<PemPair> IssueServerCertificate(const PemPair& ca,
                                         const std::vector<std::string>& names,
                                         TimePoint not_before,
                                         TimePoint not_after) {
  Cert ca_cert = ParseCertificate(ca.certificate);
  Key ca_key = ParseKey(ca.private_key);
  if (!ca_cert || !ca_key) return Failed("cannot read the CA");
  if (names.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "a server certificate needs a name");
  }
  std::string alternative_names;
  for (const std::string& name : names) {
    if (!alternative_names.empty()) alternative_names += ",";
    alternative_names += (IsIpAddress(name) ? "IP:" : "DNS:") + name;
  }
  Key key;
  MNS_ASSIGN_OR_RETURN(
      Cert cert, NewCertificate(names.front(), not_before, not_after, key));
  X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert.get()));
  MNS_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(),
                                   NID_basic_constraints, "critical,CA:FALSE"));
  MNS_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(), NID_key_usage,
                                   "critical,digitalSignature"));
  MNS_RETURN_IF_ERROR(
      AddExtension(cert.get(), ca_cert.get(), NID_ext_key_usage, "serverAuth"));
  MNS_RETURN_IF_ERROR(AddExtension(cert.get(), ca_cert.get(),
                                   NID_subject_alt_name, alternative_names));
  MNS_RETURN_IF_ERROR(AddExtension(
      cert.get(), ca_cert.get(), NID_authority_key_identifier, "keyid:always"));
  if (!X509_sign(cert.get(), ca_key.get(), EVP_sha256())) {
    return Failed("cannot sign the server certificate");
  }
  return PemPair{ToPem(cert.get()), ToPem(key.get())};
}

StatusOr<TlsIdentity> LoadOrCreateTlsIdentity(const TlsOptions& options,
                                              TimePoint now) {
  if (options.certificate_file.empty() != options.key_file.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  "--tls-cert and --tls-key go together: give both or neither");
  }
  if (!options.certificate_file.empty()) {
    MNS_ASSIGN_OR_RETURN(PemPair own,
                         ReadPair(options.certificate_file, options.key_file));
    return TlsIdentity{.server = std::move(own),
                       .certificate_file = options.certificate_file,
                       .key_file = options.key_file};
  }
  MNS_ASSIGN_OR_RETURN(std::vector<std::string> names, TlsNames(options));
  const fs::path dir = options.dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot use --tls-dir " + dir.string() + ": " +
                      (ec ? ec.message() : "not a directory"));
  }
  const fs::path ca_file = dir / kCaFile, ca_key_file = dir / kCaKeyFile;
  const fs::path server_file = dir / kServerFile,
                 server_key_file = dir / kServerKeyFile;

  PemPair ca;
  if (fs::exists(ca_file, ec) || fs::exists(ca_key_file, ec)) {
    MNS_ASSIGN_OR_RETURN(ca, ReadPair(ca_file, ca_key_file));
  } else {
    MNS_ASSIGN_OR_RETURN(ca, CreateCertificateAuthority(now));
    MNS_RETURN_IF_ERROR(WriteFile(ca_key_file, ca.private_key, true));
    MNS_RETURN_IF_ERROR(WriteFile(ca_file, ca.certificate, false));
  }

  PemPair server;
  Key ca_key = ParseKey(ca.private_key);
  if (fs::exists(server_file, ec) && fs::exists(server_key_file, ec)) {
    auto read = ReadPair(server_file, server_key_file);
    if (read.ok()) server = *std::move(read);
  }
  if (server.certificate.empty() ||
      !Reusable(server, ca_key.get(), names, now)) {
    MNS_ASSIGN_OR_RETURN(
        server, IssueServerCertificate(ca, names, now - std::chrono::hours(1),
                                       now + kServerLifetime));
    MNS_RETURN_IF_ERROR(WriteFile(server_key_file, server.private_key, true));
    MNS_RETURN_IF_ERROR(WriteFile(server_file, server.certificate, false));
  }
  // The chain the handshake sends: some clients want the issuer with it.
  server.certificate += ca.certificate;
  return TlsIdentity{.server = std::move(server),
                     .ca_file = ca_file.string(),
                     .certificate_file = server_file.string(),
                     .key_file = server_key_file.string()};
}

}  // namespace mns::emulator
