#include "emulator/core/topic.h"

#include <algorithm>
#include <cctype>

#include "emulator/core/errors.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"

namespace mns::emulator {
namespace {

// MessageAttributes children an endpoint reads (spec topic §2.6.1); their
// JSON is checked, the rest is ignored.
constexpr std::string_view kKnownAttributes[] = {
    "DirectMail", "DirectSMS", "Push", "Dayu", "WebSocket", "DYSMS", "DM"};

Status ValidateTopicUpdate(const TopicAttributeUpdate& update) {
  if (update.maximum_message_size &&
      (*update.maximum_message_size < kMinTopicMessageSize ||
       *update.maximum_message_size > kMaxTopicMessageSize)) {
    return OutOfRangeError("MaximumMessageSize", kMinTopicMessageSize,
                           kMaxTopicMessageSize, "bytes");
  }
  if (update.message_retention_period &&
      (*update.message_retention_period < kMinTopicRetention ||
       *update.message_retention_period > kMaxTopicRetention)) {
    return OutOfRangeError("MessageRetentionPeriod", kMinTopicRetention,
                           kMaxTopicRetention, "seconds");
  }
  return OkStatus();
}

TopicAttributeValues ApplyTopicUpdate(TopicAttributeValues values,
                                      const TopicAttributeUpdate& update) {
  if (update.maximum_message_size) {
    values.maximum_message_size = *update.maximum_message_size;
  }
  if (update.message_retention_period) {
    values.message_retention_period = *update.message_retention_period;
  }
  if (update.logging_enabled) values.logging_enabled = *update.logging_enabled;
  return values;
}

StatusOr<NotifyStrategy> ParseStrategy(const std::string& text) {
  if (text == "BACKOFF_RETRY") return NotifyStrategy::kBackoffRetry;
  if (text == "EXPONENTIAL_DECAY_RETRY") {
    return NotifyStrategy::kExponentialDecayRetry;
  }
  return SchemaInvalidError("NotifyStrategy " + text +
                            " is not BACKOFF_RETRY or EXPONENTIAL_DECAY_RETRY");
}

StatusOr<NotifyContentFormat> ParseFormat(const std::string& text) {
  if (text == "XML") return NotifyContentFormat::kXml;
  if (text == "JSON") return NotifyContentFormat::kJson;
  if (text == "SIMPLIFIED") return NotifyContentFormat::kSimplified;
  return SchemaInvalidError("NotifyContentFormat " + text +
                            " is not XML, JSON or SIMPLIFIED");
}

// At most 16 characters; the text is the Python SDK's own check (spec topic
// §3.1: PY mns_tool.py::filter_tag_validate), the code UNCONFIRMED (§10 item
// 6).
Status ValidateFilterTag(const std::string& tag) {
  if (tag.size() > kMaxMessageTagLength) {
    return InvalidArgumentError(
        "The length of FilterTag should be between 1 and 16.");
  }
  return OkStatus();
}

// Applies the text fields of `update` that are present to `values`.
Status ApplySubscriptionUpdate(const SubscriptionAttributeUpdate& update,
                               bool with_endpoint_and_format,
                               SubscriptionAttributeValues& values) {
  if (update.notify_strategy) {
    MNS_ASSIGN_OR_RETURN(values.notify_strategy,
                         ParseStrategy(*update.notify_strategy));
  }
  if (update.filter_tag) {
    MNS_RETURN_IF_ERROR(ValidateFilterTag(*update.filter_tag));
    values.filter_tag = *update.filter_tag;
  }
  if (with_endpoint_and_format) {
    if (update.notify_content_format) {
      MNS_ASSIGN_OR_RETURN(values.notify_content_format,
                           ParseFormat(*update.notify_content_format));
    }
    if (update.endpoint) values.endpoint = *update.endpoint;
  }
  return OkStatus();
}

}  // namespace

std::string_view NotifyStrategyName(NotifyStrategy strategy) {
  return strategy == NotifyStrategy::kBackoffRetry ? "BACKOFF_RETRY"
                                                   : "EXPONENTIAL_DECAY_RETRY";
}

std::string_view NotifyContentFormatName(NotifyContentFormat format) {
  switch (format) {
    case NotifyContentFormat::kXml:
      return "XML";
    case NotifyContentFormat::kJson:
      return "JSON";
    case NotifyContentFormat::kSimplified:
      return "SIMPLIFIED";
  }
  return "XML";
}

std::string_view EndpointKindName(EndpointKind kind) {
  switch (kind) {
    case EndpointKind::kQueue:
      return "queue";
    case EndpointKind::kHttp:
      return "http";
    case EndpointKind::kMail:
      return "mail";
    case EndpointKind::kSms:
      return "sms";
    case EndpointKind::kOther:
      return "other";
  }
  return "other";
}

StatusOr<Endpoint> ParseEndpoint(std::string_view text) {
  Endpoint endpoint{.text = std::string(text)};
  // The code is the Go SDK's (spec topic §3.1, client.go); the status and
  // the text are UNCONFIRMED (§7), so the text says what is wrong.
  auto invalid = [&](const std::string& why) {
    return EndpointInvalidError("The endpoint " + std::string(text) +
                                " is invalid: " + why + ".");
  };
  if (text.empty()) return invalid("it is empty");
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7F)
      return invalid("it contains a space or a control character");
  }
  if (auto url = SplitHttpUrl(text)) {
    if (url->host.empty() || url->authority.find('@') != std::string::npos) {
      return invalid("an HTTP endpoint needs a host");
    }
    endpoint.kind = EndpointKind::kHttp;
    endpoint.target = std::string(text);
    endpoint.http = std::move(url);
    return endpoint;
  }
  if (text.starts_with("acs:mns:")) {
    // acs:mns:<region>:<account>:queues/<name> (spec topic §4.1).
    std::string_view rest = text.substr(8);
    const size_t region_end = rest.find(':');
    const size_t account_end = region_end == std::string_view::npos
                                   ? std::string_view::npos
                                   : rest.find(':', region_end + 1);
    if (account_end == std::string_view::npos ||
        !rest.substr(account_end + 1).starts_with("queues/")) {
      return invalid(
          "a queue endpoint is acs:mns:<region>:<account>:queues/<name>");
    }
    endpoint.account =
        std::string(rest.substr(region_end + 1, account_end - region_end - 1));
    endpoint.target = std::string(rest.substr(account_end + 8));
    if (!IsMnsName(endpoint.target) || endpoint.target.size() > 256) {
      return invalid("the queue name is not valid");
    }
    endpoint.kind = EndpointKind::kQueue;
    return endpoint;
  }
  if (text.starts_with("mail:directmail:")) {
    endpoint.target = std::string(text.substr(16));
    if (endpoint.target.find('@') == std::string::npos) {
      return invalid("a mail endpoint is mail:directmail:<address>");
    }
    endpoint.kind = EndpointKind::kMail;
    return endpoint;
  }
  if (text.starts_with("sms:directsms:")) {
    endpoint.target = std::string(text.substr(14));
    if (endpoint.target.empty()) {
      return invalid(
          "an SMS endpoint is sms:directsms:anonymous or "
          "sms:directsms:<phone>");
    }
    endpoint.kind = EndpointKind::kSms;
    return endpoint;
  }
  // Legacy forms are accepted and their deliveries recorded (spec topic
  // §4.6).
  if (text.starts_with("sms:dayu:") || text.starts_with("push:")) {
    endpoint.kind = EndpointKind::kOther;
    return endpoint;
  }
  return invalid(
      "the scheme is none of http, https, acs:mns, mail:directmail, "
      "sms:directsms");
}

Status ValidateTopicOrSubscriptionName(const std::string& name,
                                       std::string_view kind) {
  const std::string k(kind);
  if (name.empty() || name.size() > kMaxTopicNameLength) {
    return Status(StatusCode::kInvalidArgument,
                  k + " name length is out of range, should be between 1 and "
                      "256.",
                  k + "NameLengthError");
  }
  if (!IsMnsName(name)) {
    // UNCONFIRMED text (spec topic §7).
    return Status(StatusCode::kInvalidArgument,
                  "The " + AsciiLower(k) +
                      " name you provided is not valid. It must start with a "
                      "letter or digit and contain only letters, digits and "
                      "hyphens.",
                  k + "NameInvalid");
  }
  return OkStatus();
}

Topic::Topic(std::string name, TopicAttributeValues attributes, TimePoint now)
    : name_(std::move(name)),
      attributes_(attributes),
      create_time_(now),
      last_modify_time_(now) {}

TimePoint Topic::Oldest(TimePoint now) const {
  return now - std::chrono::seconds(attributes_.message_retention_period);
}

int64_t Topic::MessageCount(TimePoint now) const {
  return std::distance(
      std::upper_bound(published_.begin(), published_.end(), Oldest(now)),
      published_.end());
}

StatusOr<CreateOutcome> TopicStore::Create(const std::string& name,
                                           const TopicAttributeUpdate& update,
                                           TimePoint now) {
  MNS_RETURN_IF_ERROR(ValidateTopicOrSubscriptionName(name, "Topic"));
  MNS_RETURN_IF_ERROR(ValidateTopicUpdate(update));
  const TopicAttributeValues effective =
      ApplyTopicUpdate(TopicAttributeValues{}, update);
  if (auto it = topics_.find(name); it != topics_.end()) {
    if (it->second->attributes() == effective) {
      return CreateOutcome::kAlreadyExistsWithSameAttributes;
    }
    return TopicAlreadyExistError();
  }
  topics_.emplace(name, std::make_unique<Topic>(name, effective, now));
  return CreateOutcome::kCreated;
}

Status TopicStore::SetAttributes(const std::string& name,
                                 const TopicAttributeUpdate& update,
                                 TimePoint now) {
  MNS_ASSIGN_OR_RETURN(Topic * topic, Find(name));
  MNS_RETURN_IF_ERROR(ValidateTopicUpdate(update));
  topic->attributes_ = ApplyTopicUpdate(topic->attributes_, update);
  topic->last_modify_time_ = now;
  return OkStatus();
}

bool TopicStore::Delete(const std::string& name) {
  return topics_.erase(name) > 0;
}

StatusOr<Topic*> TopicStore::Find(const std::string& name) {
  auto it = topics_.find(name);
  if (it == topics_.end()) return TopicNotExistError();
  return it->second.get();
}

StatusOr<TopicPage> TopicStore::List(const std::string& prefix,
                                     const std::string& marker,
                                     int limit) const {
  return PageByName(topics_, prefix, marker, limit,
                    [](const std::unique_ptr<Topic>& topic) {
                      return static_cast<const Topic*>(topic.get());
                    });
}

StatusOr<CreateOutcome> TopicStore::Subscribe(
    const std::string& topic_name, const std::string& name,
    const SubscriptionAttributeUpdate& update, TimePoint now) {
  MNS_ASSIGN_OR_RETURN(Topic * topic, Find(topic_name));
  MNS_RETURN_IF_ERROR(ValidateTopicOrSubscriptionName(name, "Subscription"));
  if (!update.endpoint) {
    return SchemaInvalidError("the element Endpoint is missing");
  }
  SubscriptionAttributeValues effective;
  MNS_RETURN_IF_ERROR(ApplySubscriptionUpdate(update, true, effective));
  MNS_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(effective.endpoint));
  if (auto it = topic->subscriptions_.find(name);
      it != topic->subscriptions_.end()) {
    if (it->second.attributes == effective) {
      return CreateOutcome::kAlreadyExistsWithSameAttributes;
    }
    return SubscriptionAlreadyExistError();
  }
  topic->subscriptions_.emplace(name,
                                Subscription{.topic = topic_name,
                                             .name = name,
                                             .attributes = std::move(effective),
                                             .endpoint = std::move(endpoint),
                                             .create_time = now,
                                             .last_modify_time = now});
  return CreateOutcome::kCreated;
}

Status TopicStore::SetSubscriptionAttributes(
    const std::string& topic_name, const std::string& name,
    const SubscriptionAttributeUpdate& update, TimePoint now) {
  auto topic = Find(topic_name);
  if (!topic.ok()) return SubscriptionNotExistError();
  auto it = (*topic)->subscriptions_.find(name);
  if (it == (*topic)->subscriptions_.end()) return SubscriptionNotExistError();
  SubscriptionAttributeValues values = it->second.attributes;
  MNS_RETURN_IF_ERROR(ApplySubscriptionUpdate(update, false, values));
  it->second.attributes = std::move(values);
  it->second.last_modify_time = now;
  return OkStatus();
}

bool TopicStore::Unsubscribe(const std::string& topic_name,
                             const std::string& name) {
  auto topic = Find(topic_name);
  return topic.ok() && (*topic)->subscriptions_.erase(name) > 0;
}

StatusOr<const Subscription*> TopicStore::GetSubscription(
    const std::string& topic_name, const std::string& name) {
  auto topic = Find(topic_name);
  if (!topic.ok()) return SubscriptionNotExistError();
  auto it = (*topic)->subscriptions_.find(name);
  if (it == (*topic)->subscriptions_.end()) return SubscriptionNotExistError();
  return &it->second;
}

StatusOr<SubscriptionPage> TopicStore::ListSubscriptions(
    const std::string& topic_name, const std::string& prefix,
    const std::string& marker, int limit) {
  MNS_ASSIGN_OR_RETURN(Topic * topic, Find(topic_name));
  return PageByName(topic->subscriptions_, prefix, marker, limit,
                    [](const Subscription& s) { return &s; });
}

StatusOr<Publication> TopicStore::Publish(const std::string& topic_name,
                                          const PublishRequest& request,
                                          TimePoint now) {
  MNS_ASSIGN_OR_RETURN(Topic * topic, Find(topic_name));
  if (request.body.empty()) {
    return SchemaInvalidError("the element MessageBody is missing or empty");
  }
  MNS_RETURN_IF_ERROR(ValidateMessageProperties(request.properties));
  // Over MaximumMessageSize (properties count, spec topic §5.4) and a tag
  // over 16 are InvalidArgument: UNCONFIRMED codes (§2.6, §10 item 6); the
  // tag's text is the Python SDK's (PY mns_tool.py).
  const size_t size = request.body.size() + request.properties.bytes();
  if (static_cast<int64_t>(size) > topic->attributes().maximum_message_size) {
    return InvalidArgumentError(
        "The message size (" + std::to_string(size) +
        " bytes, properties included) exceeds the topic's MaximumMessageSize " +
        std::to_string(topic->attributes().maximum_message_size) + ".");
  }
  if (request.tag.size() > kMaxMessageTagLength) {
    return InvalidArgumentError(
        "The length of message tag should be between 1 and 16.");
  }
  Publication publication;
  PublishedMessage& message = publication.message;
  for (const auto& [name, text] : request.attributes) {
    if (std::find(std::begin(kKnownAttributes), std::end(kKnownAttributes),
                  name) == std::end(kKnownAttributes)) {
      continue;
    }
    auto parsed = nlohmann::json::parse(text, nullptr,
                                        /*allow_exceptions=*/false);
    // UNCONFIRMED code for malformed JSON in a known child (§2.6.1).
    if (parsed.is_discarded() || !parsed.is_object()) {
      return InvalidArgumentError("The MessageAttributes element " + name +
                                  " is not a JSON object.");
    }
    message.attributes.emplace(name, std::move(parsed));
  }
  message.message_id = random_->UpperHex(32);
  message.body_md5 = HexUpper(Md5(request.body));
  message.body = request.body;
  message.tag = request.tag;
  message.properties = request.properties;
  message.publish_time = now;
  while (!topic->published_.empty() &&
         topic->published_.front() <= topic->Oldest(now)) {
    topic->published_.pop_front();
  }
  topic->published_.push_back(now);
  publication.expires =
      now + std::chrono::seconds(topic->attributes().message_retention_period);
  for (const auto& [name, subscription] : topic->subscriptions_) {
    const std::string& filter = subscription.attributes.filter_tag;
    if (filter.empty() || filter == request.tag) {
      publication.subscribers.push_back(subscription);
    }
  }
  return publication;
}

}  // namespace mns::emulator
