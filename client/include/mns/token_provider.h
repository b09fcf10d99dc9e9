// AlicomTokenProvider: temporary credentials for one Alicom queue, from
// QueryTokenForMnsQueue, refreshed before they expire. It is the
// CredentialsProvider an MnsClient reading Alicom-Queue-<uid>-<type> uses.
//
// It refreshes once less than `refresh_before` remains, reading ExpireTime
// as Beijing time whatever the host's zone, and comparing absolute times, so
// it has none of the known consumer bugs (spec alicom §3): no host-zone
// arithmetic, no negative-delta ".seconds", no inverted condition, no
// assumed lifetime. One refresh runs at a time; other callers wait for it.
// If a refresh fails while the current token is still valid, that token is
// used; with no valid token left the error says why. Thread-safe.
#ifndef MNS_CLIENT_TOKEN_PROVIDER_H_
#define MNS_CLIENT_TOKEN_PROVIDER_H_

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "mns/alicom_client.h"
#include "mns/common/clock.h"
#include "mns/credentials.h"

namespace mns {

class AlicomTokenProvider : public CredentialsProvider {
 public:
  using Fetch = std::function<StatusOr<MessageToken>()>;

  struct Options {
    Duration refresh_before = std::chrono::minutes(2);
    std::shared_ptr<Clock> clock;  // the real clock when null
  };

  // Tokens of `message_type` ("SmsReport", "SmsUp", ...) from `client`.
  AlicomTokenProvider(std::shared_ptr<AlicomClient> client,
                      std::string message_type, Options options);
  // Tokens from any source: for tests, and for callers with their own.
  AlicomTokenProvider(Fetch fetch, Options options);

  StatusOr<Credentials> Get() override;

  // Refreshes now, whatever the current token's age.
  Status Refresh();

 private:
  bool Fresh(TimePoint now) const;

  const Fetch fetch_;
  const Duration refresh_before_;
  const std::shared_ptr<Clock> clock_;

  std::mutex mutex_;
  std::condition_variable refreshed_;
  bool refreshing_ = false;
  std::optional<MessageToken> token_;
};

}  // namespace mns

#endif  // MNS_CLIENT_TOKEN_PROVIDER_H_
