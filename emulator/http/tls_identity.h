// The emulator's HTTPS identity: a certificate authority of its own and a
// server certificate it signs for the cloud's real host names, made with
// OpenSSL on first use and kept in a directory for later runs, or the
// user's own certificate and key.
//
// Why a CA and not one self-signed certificate: clients trust a CA once
// (NODE_EXTRA_CA_CERTS, REQUESTS_CA_BUNDLE, a Java trust store) and keep
// trusting it when the server certificate is issued again for new names.
//
// Pure functions of their arguments and the files they name; thread-safe.
#ifndef MNS_EMULATOR_HTTP_TLS_IDENTITY_H_
#define MNS_EMULATOR_HTTP_TLS_IDENTITY_H_

#include <string>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

// A certificate (or a chain, leaf first) and its private key, in PEM.
struct PemPair {
  std::string certificate;
  std::string private_key;
};

struct TlsOptions {
  // Where the generated CA and server certificate are kept.
  std::string dir = ".mns-emulator-tls";
  // MNS regions whose account host names, *.mns.<region>.aliyuncs.com, the
  // certificate covers beyond cn-hangzhou.
  std::vector<std::string> regions;
  // Further DNS names or IP addresses to cover.
  std::vector<std::string> names;
  // The user's own certificate chain and key (PEM files); both or neither.
  // When given, nothing is generated.
  std::string certificate_file;
  std::string key_file;
};

// What the HTTPS ports serve, and where a client finds the CA to trust.
struct TlsIdentity {
  PemPair server;       // the chain: server certificate, then the CA
  std::string ca_file;  // empty with the user's own pair
  std::string certificate_file;
  std::string key_file;
};

// The names a generated server certificate covers: 127.0.0.1, ::1,
// localhost, *.aliyuncs.com, dysmsapi.aliyuncs.com, dybaseapi.aliyuncs.com,
// *.mns.<region>.aliyuncs.com for cn-hangzhou and `options.regions`, then
// `options.names`. A bad name or region is an error naming it.
StatusOr<std::vector<std::string>> TlsNames(const TlsOptions& options);

// The user's pair when `options` names one (checked: readable, PEM, the key
// matches the certificate). Otherwise the CA in `options.dir`, created there
// if absent, and a server certificate it signed: the one on disk while it
// covers TlsNames() and is valid for a day more after `now`, else a new
// one. Errors name the file or directory at fault.
StatusOr<TlsIdentity> LoadOrCreateTlsIdentity(const TlsOptions& options,
                                              TimePoint now);

// A new CA, valid for ten years from `now`: EC P-256, SHA-256.
StatusOr<PemPair> CreateCertificateAuthority(TimePoint now);

// A server certificate for `names` (DNS names, wildcards, IP addresses)
// signed by `ca`, valid from `not_before` to `not_after`. Tests make expired
// and wrongly named ones with it.
StatusOr<PemPair> IssueServerCertificate(const PemPair& ca,
                                         const std::vector<std::string>& names,
                                         TimePoint not_before,
                                         TimePoint not_after);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_TLS_IDENTITY_H_
