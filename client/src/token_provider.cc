#include "mns/token_provider.h"

namespace mns {

AlicomTokenProvider::AlicomTokenProvider(std::shared_ptr<AlicomClient> client,
                                         std::string message_type,
                                         Options options)
    : AlicomTokenProvider(
          [client, message_type] {
            return client->QueryTokenForMnsQueue(message_type);
          },
          std::move(options)) {}

AlicomTokenProvider::AlicomTokenProvider(Fetch fetch, Options options)
    : fetch_(std::move(fetch)),
      refresh_before_(options.refresh_before),
      clock_(options.clock ? options.clock : std::make_shared<SystemClock>()) {}

bool AlicomTokenProvider::Fresh(TimePoint now) const {
  return token_ && now < token_->expire_time - refresh_before_;
}

StatusOr<Credentials> AlicomTokenProvider::Get() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!Fresh(clock_->Now())) {
    if (refreshing_) {
      // Someone else is fetching; take whatever they bring.
      refreshed_.wait(lock);
      if (!refreshing_) break;
      continue;
    }
    refreshing_ = true;
    lock.unlock();
    StatusOr<MessageToken> fetched = fetch_();
    lock.lock();
    refreshing_ = false;
    if (fetched.ok()) token_ = std::move(fetched).value();
    refreshed_.notify_all();
    if (!fetched.ok()) {
      if (token_ && clock_->Now() < token_->expire_time) break;  // still valid
      // The fetch's own code and request id, so callers can tell a wrong
      // key from an outage.
      const Status& why = fetched.status();
      return Status(
                 why.code(),
                 "no valid Alicom token; the refresh failed: " + why.message(),
                 why.error_code())
          .set_request_id(why.request_id());
    }
    break;
  }
  if (!token_ || clock_->Now() >= token_->expire_time) {
    return Status(StatusCode::kUnavailable,
                  "no valid Alicom token: the last refresh failed");
  }
  return Credentials{token_->access_key_id, token_->access_key_secret,
                     token_->security_token, token_->expire_time};
}

Status AlicomTokenProvider::Refresh() {
  StatusOr<MessageToken> fetched = fetch_();
  if (!fetched.ok()) return fetched.status();
  std::lock_guard<std::mutex> lock(mutex_);
  token_ = std::move(fetched).value();
  return OkStatus();
}

}  // namespace mns
