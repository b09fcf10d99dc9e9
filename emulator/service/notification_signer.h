// NotificationSigner: the key an HTTP endpoint's notifications are signed
// with (spec topic §4.3): RSA-2048 and a self-signed X.509 certificate,
// made on first use (so an emulator that never pushes never pays for the
// key), signing with RSASSA-PKCS1-v1_5 over SHA-1 as MNS does. The
// certificate is served at /_emulator/notifications/certificate.pem for
// receivers to verify with. Thread-safe.
#ifndef MNS_EMULATOR_SERVICE_NOTIFICATION_SIGNER_H_
#define MNS_EMULATOR_SERVICE_NOTIFICATION_SIGNER_H_

#include <memory>
#include <mutex>
#include <string>

#include "mns/common/status.h"

namespace mns::emulator {

class NotificationSigner {
 public:
  NotificationSigner();
  ~NotificationSigner();

  // base64 of the RSA-SHA1 signature of `string_to_sign`.
  StatusOr<std::string> Sign(const std::string& string_to_sign);
  // The certificate, PEM: one BEGIN/END CERTIFICATE block and nothing else
  // (the Python sample strips exactly the first and last lines).
  StatusOr<std::string> CertificatePem();

 private:
  struct Keys;
  Status Ensure();

  std::once_flag made_;
  Status make_status_;
  std::unique_ptr<Keys> keys_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_NOTIFICATION_SIGNER_H_
