// TopicClient: the 11 topic and subscription operations of MNS (spec topic
// §2, §3). Errors carry the MNS code ("TopicNotExist"), its message and the
// request id, as MnsClient's do, and calls retry per ClientOptions::retry —
// PublishMessage only when the caller opts in (retry_send), since a retry
// after a lost response publishes twice. Message bodies are published as
// given: SMS and mail endpoints take the text itself. Thread-safe; share it
// by reference or pointer.
#ifndef MNS_CLIENT_TOPIC_CLIENT_H_
#define MNS_CLIENT_TOPIC_CLIENT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mns/common/status.h"
#include "mns/options.h"

namespace mns {

namespace internal {
class Transport;
}

// Settable topic attributes; absent is unchanged (or the default on create).
struct TopicAttributes {
  std::optional<int64_t> maximum_message_size;  // 1024..65536
  std::optional<int64_t> message_retention_period;
  std::optional<bool> logging_enabled;
};

struct TopicInfo {
  std::string name;
  TimePoint create_time;
  TimePoint last_modify_time;
  int64_t maximum_message_size = 0;
  int64_t message_retention_period = 0;
  int64_t message_count = 0;
  bool logging_enabled = false;
};

struct TopicPage {
  std::vector<std::string> topic_urls;
  std::vector<std::string> topic_names;
  std::string next_marker;  // empty on the last page
};

enum class NotifyStrategy { kBackoffRetry, kExponentialDecayRetry };
enum class NotifyContentFormat { kXml, kJson, kSimplified };

// What Subscribe and SetSubscriptionAttributes send; absent is unchanged
// (or the default). SetSubscriptionAttributes sends only the strategy and
// the filter tag, which is all the cloud changes (spec topic §3.4).
struct SubscriptionAttributes {
  std::optional<std::string> endpoint;  // see the *Endpoint() helpers
  std::optional<NotifyStrategy> notify_strategy;
  std::optional<NotifyContentFormat> notify_content_format;
  std::optional<std::string> filter_tag;  // up to 16 characters
};

struct SubscriptionInfo {
  std::string topic_owner;
  std::string topic_name;
  std::string subscription_name;
  std::string endpoint;
  NotifyStrategy notify_strategy = NotifyStrategy::kBackoffRetry;
  NotifyContentFormat notify_content_format = NotifyContentFormat::kXml;
  std::string filter_tag;  // empty when none
  TimePoint create_time;
  TimePoint last_modify_time;
};

struct SubscriptionPage {
  std::vector<std::string> subscription_urls;
  std::vector<std::string> subscription_names;
  std::string next_marker;
};

struct PublishMessageRequest {
  std::string body;
  std::string tag;  // empty: untagged; subscriptions with a FilterTag skip it
  // MessageAttributes' children, each a JSON document: "DirectSMS",
  // "DirectMail", … (spec topic §2.6.1).
  std::map<std::string, std::string> attributes;
};

struct PublishMessageResult {
  std::string message_id;
  std::string body_md5;
};

class TopicClient {
 public:
  explicit TopicClient(ClientOptions options);
  // For tests: a client over another transport.
  TopicClient(ClientOptions options,
              std::shared_ptr<internal::Transport> transport);
  ~TopicClient();
  TopicClient(const TopicClient&) = delete;
  TopicClient& operator=(const TopicClient&) = delete;

  // True if created, false if it existed with the same attributes;
  // TopicAlreadyExist if it exists with others.
  StatusOr<bool> CreateTopic(const std::string& topic,
                             const TopicAttributes& attributes = {});
  Status SetTopicAttributes(const std::string& topic,
                            const TopicAttributes& attributes);
  StatusOr<TopicInfo> GetTopicAttributes(const std::string& topic);
  Status DeleteTopic(const std::string& topic);
  StatusOr<TopicPage> ListTopics(const std::string& prefix = "",
                                 const std::string& marker = "",
                                 int page_size = 1000);
  StatusOr<PublishMessageResult> PublishMessage(
      const std::string& topic, const PublishMessageRequest& request);

  // True if created, false if it existed with the same attributes;
  // SubscriptionAlreadyExist if it exists with others.
  StatusOr<bool> Subscribe(const std::string& topic,
                           const std::string& subscription,
                           const SubscriptionAttributes& attributes);
  Status SetSubscriptionAttributes(const std::string& topic,
                                   const std::string& subscription,
                                   const SubscriptionAttributes& attributes);
  StatusOr<SubscriptionInfo> GetSubscriptionAttributes(
      const std::string& topic, const std::string& subscription);
  Status Unsubscribe(const std::string& topic, const std::string& subscription);
  StatusOr<SubscriptionPage> ListSubscriptions(const std::string& topic,
                                               const std::string& prefix = "",
                                               const std::string& marker = "",
                                               int page_size = 1000);

  // Endpoint texts (spec topic §4.1).
  static std::string QueueEndpoint(const std::string& region,
                                   const std::string& account_id,
                                   const std::string& queue);
  static std::string MailEndpoint(const std::string& address);
  // `phone` empty: sms:directsms:anonymous.
  static std::string SmsEndpoint(const std::string& phone = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::string_view NotifyStrategyName(NotifyStrategy strategy);
std::string_view NotifyContentFormatName(NotifyContentFormat format);

}  // namespace mns

#endif  // MNS_CLIENT_TOPIC_CLIENT_H_
