#include "emulator/service/credentials.h"

namespace mns::emulator {

void CredentialStore::Add(const std::string& account_id,
                          const std::string& access_key_id,
                          const std::string& access_key_secret) {
  std::lock_guard<std::mutex> lock(mutex_);
  by_key_[access_key_id] =
      Principal{account_id, access_key_id, access_key_secret};
}

void CredentialStore::AddTemporary(Principal principal, TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = by_key_.begin(); it != by_key_.end();) {
    const auto& expiry = it->second.expire_time;
    if (expiry && *expiry + std::chrono::hours(24) < now) {
      it = by_key_.erase(it);
      ++forgotten_;
    } else {
      ++it;
    }
  }
  std::string key = principal.access_key_id;
  by_key_[key] = std::move(principal);
  ++issued_;
}

CredentialStore::TokenCounts CredentialStore::Tokens(TimePoint now) const {
  std::lock_guard<std::mutex> lock(mutex_);
  TokenCounts counts{.issued = issued_, .expired = forgotten_};
  for (const auto& [key, principal] : by_key_) {
    if (principal.expire_time && *principal.expire_time <= now) {
      ++counts.expired;
    }
  }
  return counts;
}

StatusOr<Principal> CredentialStore::Lookup(
    const std::string& access_key_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_key_.find(access_key_id);
  if (it == by_key_.end()) {
    return Status(StatusCode::kPermissionDenied, "", "InvalidAccessKeyId");
  }
  return it->second;
}

bool CredentialStore::ExpireTemporary(const std::string& access_key_id,
                                      TimePoint now) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = by_key_.find(access_key_id);
  if (it == by_key_.end() || !it->second.temporary()) return false;
  it->second.expire_time = now;
  return true;
}

}  // namespace mns::emulator
