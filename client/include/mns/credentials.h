// Credentials and where a client gets them.
//
// A CredentialsProvider hands out the key pair (and, for temporary
// credentials, the security token) to sign each request with. Providers are
// shared by clients through std::shared_ptr and must be thread-safe.
#ifndef MNS_CLIENT_CREDENTIALS_H_
#define MNS_CLIENT_CREDENTIALS_H_

#include <memory>
#include <optional>
#include <string>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns {

struct Credentials {
  std::string access_key_id;
  std::string access_key_secret;
  // Set for temporary (STS) credentials; sent as the security-token header.
  std::string security_token;
  // When temporary credentials stop working.
  std::optional<TimePoint> expire_time;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // The credentials to sign the next request with, or why there are none.
  virtual StatusOr<Credentials> Get() = 0;
};

// Always the same credentials.
class StaticCredentialsProvider : public CredentialsProvider {
 public:
  explicit StaticCredentialsProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  StatusOr<Credentials> Get() override { return credentials_; }

 private:
  const Credentials credentials_;
};

inline std::shared_ptr<CredentialsProvider> MakeStaticCredentials(
    std::string access_key_id, std::string access_key_secret,
    std::string security_token = "") {
  return std::make_shared<StaticCredentialsProvider>(
      Credentials{std::move(access_key_id), std::move(access_key_secret),
                  std::move(security_token), std::nullopt});
}

}  // namespace mns

#endif  // MNS_CLIENT_CREDENTIALS_H_
