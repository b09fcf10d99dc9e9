// CredentialStore: which account an AccessKeyId belongs to, and its secret.
//
// Accounts and their key pairs come from configuration; a request's account
// is the one its AccessKeyId belongs to, so accounts never see each other's
// queues. Thread-safe: keys may be added while requests are served.
#ifndef MNS_EMULATOR_SERVICE_CREDENTIALS_H_
#define MNS_EMULATOR_SERVICE_CREDENTIALS_H_

#include <map>
#include <mutex>
#include <string>

#include "client/common/clock.h"
#include "client/common/status.h"

namespace mns::emulator {

struct Principal {
  std::string account_id;
  std::string access_key_id;
  std::string access_key_secret;
};

class CredentialStore {
 public:
  void Add(const std::string& account_id, const std::string& access_key_id,
           const std::string& access_key_secret);
  // InvalidAccessKeyId (PermissionDenied) for an unknown key.
  StatusOr<Principal> Lookup(const std::string& access_key_id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Principal> by_key_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_CREDENTIALS_H_
