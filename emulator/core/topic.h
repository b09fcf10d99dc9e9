// Topics and their subscriptions (spec topic §2, §3), as a pure model like
// QueueStore: a TopicStore holds one account's topics by name, each with its
// subscriptions, and Publish() says which subscriptions a message goes to.
// Delivering it is the service's business (emulator/service/
// topic_service.h). Calls take `now`; the caller serialises access. Not
// thread-safe.
#ifndef MNS_EMULATOR_CORE_TOPIC_H_
#define MNS_EMULATOR_CORE_TOPIC_H_

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/core/message_properties.h"
#include "emulator/core/name_page.h"
#include "emulator/core/queue_store.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"
#include "mns/common/strings.h"

namespace mns::emulator {

// Spec topic §2.7.
struct TopicAttributeValues {
  int64_t maximum_message_size = 65536;
  int64_t message_retention_period = 86400;
  bool logging_enabled = false;
  bool operator==(const TopicAttributeValues&) const = default;
};

// What CreateTopic and SetTopicAttributes send: absent is unchanged.
struct TopicAttributeUpdate {
  std::optional<int64_t> maximum_message_size;
  std::optional<int64_t> message_retention_period;
  std::optional<bool> logging_enabled;
};

inline constexpr int64_t kMinTopicMessageSize = 1024;
inline constexpr int64_t kMaxTopicMessageSize = 65536;
inline constexpr int64_t kMinTopicRetention = 60;
inline constexpr int64_t kMaxTopicRetention = 86400;
inline constexpr size_t kMaxTopicNameLength = 256;
inline constexpr size_t kMaxMessageTagLength = 16;

enum class NotifyStrategy { kBackoffRetry, kExponentialDecayRetry };
enum class NotifyContentFormat { kXml, kJson, kSimplified };
std::string_view NotifyStrategyName(NotifyStrategy strategy);
std::string_view NotifyContentFormatName(NotifyContentFormat format);

// The forms of spec topic §4.1.
enum class EndpointKind { kQueue, kHttp, kMail, kSms, kOther };
std::string_view EndpointKindName(EndpointKind kind);

struct Endpoint {
  EndpointKind kind = EndpointKind::kOther;
  std::string text;  // as subscribed
  // The queue's name; the URL; the mail address; the phone number or
  // "anonymous"; empty for the other kinds.
  std::string target;
  // Queue endpoints: the account id in acs:mns:<region>:<account>:queues/q.
  std::string account;
  // HTTP endpoints: the URL's parts.
  std::optional<HttpUrl> http;
};

// EndpointInvalid for anything that is none of spec topic §4.1's forms: an
// unknown scheme, an http(s) URL without a host, a queue ARN without a
// valid queue name, a mail endpoint without an address.
StatusOr<Endpoint> ParseEndpoint(std::string_view text);

struct SubscriptionAttributeValues {
  std::string endpoint;
  NotifyStrategy notify_strategy = NotifyStrategy::kBackoffRetry;
  NotifyContentFormat notify_content_format = NotifyContentFormat::kXml;
  std::string filter_tag;  // empty: every message
  bool operator==(const SubscriptionAttributeValues&) const = default;
};

// What Subscribe and SetSubscriptionAttributes send, as text; the store
// validates it.
struct SubscriptionAttributeUpdate {
  std::optional<std::string> endpoint;
  std::optional<std::string> notify_strategy;
  std::optional<std::string> notify_content_format;
  std::optional<std::string> filter_tag;
};

struct Subscription {
  std::string topic;
  std::string name;
  SubscriptionAttributeValues attributes;
  Endpoint endpoint;
  TimePoint create_time;
  TimePoint last_modify_time;
};

struct PublishRequest {
  std::string body;
  std::string tag;  // empty: untagged
  // MessageAttributes' children by name, each the JSON text it carried
  // (spec topic §2.6.1).
  std::map<std::string, std::string> attributes;
  MessageProperties properties;
};

struct PublishedMessage {
  std::string message_id;  // 32 uppercase hex digits
  std::string body_md5;    // uppercase hex
  std::string body;
  std::string tag;
  // The known MessageAttributes children, parsed (DirectMail, DirectSMS,
  // DM, DYSMS, …); unknown children are dropped.
  std::map<std::string, nlohmann::json> attributes;
  MessageProperties properties;
  TimePoint publish_time;
};

struct Publication {
  PublishedMessage message;
  // When the topic forgets it: no delivery is tried after this (spec topic
  // §2.7).
  TimePoint expires;
  // Copies of the subscriptions whose FilterTag lets it through.
  std::vector<Subscription> subscribers;
};

class Topic {
 public:
  Topic(std::string name, TopicAttributeValues attributes, TimePoint now);

  const std::string& name() const { return name_; }
  const TopicAttributeValues& attributes() const { return attributes_; }
  TimePoint create_time() const { return create_time_; }
  TimePoint last_modify_time() const { return last_modify_time_; }
  // Messages published and not yet past the retention period, whether
  // delivered or not (spec topic §2.7).
  int64_t MessageCount(TimePoint now) const;
  const std::map<std::string, Subscription>& subscriptions() const {
    return subscriptions_;
  }

 private:
  friend class TopicStore;
  std::string name_;
  TopicAttributeValues attributes_;
  TimePoint create_time_;
  TimePoint last_modify_time_;
  std::map<std::string, Subscription> subscriptions_;
  // Publish times, oldest first; what has expired is dropped at the next
  // publish.
  std::deque<TimePoint> published_;
  TimePoint Oldest(TimePoint now) const;
};

using TopicPage = NamePage<Topic>;
using SubscriptionPage = NamePage<Subscription>;

class TopicStore {
 public:
  explicit TopicStore(Random* random) : random_(random) {}

  // kCreated; kAlreadyExistsWithSameAttributes when a topic of that name
  // has the same effective attributes; else TopicAlreadyExist.
  StatusOr<CreateOutcome> Create(const std::string& name,
                                 const TopicAttributeUpdate& update,
                                 TimePoint now);
  Status SetAttributes(const std::string& name,
                       const TopicAttributeUpdate& update, TimePoint now);
  // Returns whether the topic existed; its subscriptions go with it.
  bool Delete(const std::string& name);
  StatusOr<Topic*> Find(const std::string& name);
  StatusOr<TopicPage> List(const std::string& prefix, const std::string& marker,
                           int limit) const;

  // As Create(), for a subscription of `topic`: SubscriptionAlreadyExist
  // when the name has other effective attributes.
  StatusOr<CreateOutcome> Subscribe(const std::string& topic,
                                    const std::string& name,
                                    const SubscriptionAttributeUpdate& update,
                                    TimePoint now);
  // NotifyStrategy and FilterTag only (spec topic §3.4); the rest is
  // ignored.
  Status SetSubscriptionAttributes(const std::string& topic,
                                   const std::string& name,
                                   const SubscriptionAttributeUpdate& update,
                                   TimePoint now);
  // Returns whether the subscription existed.
  bool Unsubscribe(const std::string& topic, const std::string& name);
  StatusOr<const Subscription*> GetSubscription(const std::string& topic,
                                                const std::string& name);
  StatusOr<SubscriptionPage> ListSubscriptions(const std::string& topic,
                                               const std::string& prefix,
                                               const std::string& marker,
                                               int limit);

  // Validates the message against the topic (size with its properties, tag,
  // attributes' JSON, properties' limits) and says where it goes.
  StatusOr<Publication> Publish(const std::string& topic,
                                const PublishRequest& request, TimePoint now);

  bool empty() const { return topics_.empty(); }

 private:
  Random* random_;
  std::map<std::string, std::unique_ptr<Topic>> topics_;
};

// Topic and subscription names (spec topic §2.1, §3.1): 1..256 letters,
// digits and '-', not starting with '-'. `kind` is "Topic" or
// "Subscription", which names the error codes.
Status ValidateTopicOrSubscriptionName(const std::string& name,
                                       std::string_view kind);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_TOPIC_H_
