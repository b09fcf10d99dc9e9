// NotificationVerifier: for a C++ service that receives MNS HTTP
// notifications (spec topic §4.3). Verify() checks that a request came from
// MNS: Content-md5 against the body, and the RSA-SHA1 signature in
// Authorization against the certificate at x-mns-signing-cert-url (fetched
// once per URL and kept). Decode() turns the body, in whichever
// NotifyContentFormat it came, into a TopicNotification. Thread-safe.
//
// Only certificate URLs under a trusted prefix are fetched: Alibaba Cloud's
// own (https://mns-cert.oss-cn-<region>.aliyuncs.com/ and the older
// https://mnstest.oss-cn-hangzhou.aliyuncs.com/) unless you name others,
// such as an emulator's http://127.0.0.1:PORT/_emulator/.
#ifndef MNS_CLIENT_NOTIFICATION_VERIFIER_H_
#define MNS_CLIENT_NOTIFICATION_VERIFIER_H_

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns {

struct TopicNotification {
  std::string topic_owner;
  std::string topic_name;
  std::string subscriber;
  std::string subscription_name;
  std::string message_id;
  std::string message;  // the published body
  std::string message_md5;
  std::string message_tag;
  TimePoint publish_time;
};

// Header names compare without case.
using NotificationHeaders = std::vector<std::pair<std::string, std::string>>;

class NotificationVerifier {
 public:
  // The PEM text at a URL, or an error.
  using CertificateFetcher =
      std::function<StatusOr<std::string>(const std::string& url)>;
  struct Options {
    // URL prefixes certificates may come from; empty: Alibaba Cloud's.
    std::vector<std::string> trusted_certificate_prefixes;
    // Null: an HTTP(S) GET.
    CertificateFetcher fetch;
  };

  explicit NotificationVerifier(Options options = {});

  // OK when the request verifies; kUnauthenticated naming what did not
  // (a missing header, an untrusted certificate URL, a Content-md5 that is
  // not the body's, a signature that does not verify).
  Status Verify(const std::string& method, const std::string& target,
                const NotificationHeaders& headers, const std::string& body);

  // The notification in an XML, JSON or SIMPLIFIED body (told apart by
  // Content-Type, text/plain being SIMPLIFIED with its fields in x-mns-*
  // headers); InvalidArgument when the body is not one.
  static StatusOr<TopicNotification> Decode(const NotificationHeaders& headers,
                                            const std::string& body);

 private:
  StatusOr<std::string> Certificate(const std::string& url);

  const Options options_;
  std::mutex mutex_;
  std::map<std::string, std::string> certificates_;  // by URL
};

}  // namespace mns

#endif  // MNS_CLIENT_NOTIFICATION_VERIFIER_H_
