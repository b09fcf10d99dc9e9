// CredentialStore: which account an AccessKeyId belongs to, and its secret.
//
// Accounts and their key pairs come from configuration; a request's account
// is the one its AccessKeyId belongs to, so accounts never see each other's
// queues. Thread-safe: keys may be added while requests are served.
#ifndef MNS_EMULATOR_SERVICE_CREDENTIALS_H_
#define MNS_EMULATOR_SERVICE_CREDENTIALS_H_

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

struct Principal {
  std::string account_id;
  std::string access_key_id;
  std::string access_key_secret;
  // Set for temporary credentials (QueryTokenForMnsQueue): the token that
  // must come with every request, when the credentials stop working, and the
  // one resource they open ("queues/<name>"; topics will be "topics/<name>").
  std::string security_token;
  std::optional<TimePoint> expire_time;
  std::string resource_scope;

  bool temporary() const { return !security_token.empty(); }
  // Whether these credentials may act on `resource` ("queues/<name>", or ""
  // for the account itself: listing queues, account attributes).
  bool Allows(std::string_view resource) const {
    return resource_scope.empty() || resource == resource_scope;
  }
};

class CredentialStore {
 public:
  void Add(const std::string& account_id, const std::string& access_key_id,
           const std::string& access_key_secret);
  // Adds temporary credentials, and forgets those that expired more than a
  // day before `now`, so a long run's tokens do not pile up.
  void AddTemporary(Principal principal, TimePoint now);
  // Temporary credentials `access_key_id` expire at `now`, whatever their
  // ExpireTime said (the "expire_token" fault). False for an unknown or
  // long-term key.
  bool ExpireTemporary(const std::string& access_key_id, TimePoint now);
  struct TokenCounts {
    uint64_t issued = 0;   // since start
    uint64_t expired = 0;  // of those, expired by `now`
  };
  // Counted from the tokens kept (a day past their expiry at most) and
  // those forgotten since, never from a history of every token.
  TokenCounts Tokens(TimePoint now) const;

  // InvalidAccessKeyId (PermissionDenied) for an unknown key.
  StatusOr<Principal> Lookup(const std::string& access_key_id) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, Principal> by_key_;
  uint64_t issued_ = 0;
  uint64_t forgotten_ = 0;  // expired and dropped
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_CREDENTIALS_H_
