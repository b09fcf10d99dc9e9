#include "mns/topic_client.h"

#include "client/src/client_core.h"
#include "client/src/mns_wire.h"
#include "mns/common/strings.h"
#include "mns/common/xml.h"

namespace mns {

using internal::Add;
using internal::CallMns;
using internal::Child;
using internal::ChildInt;
using internal::ErrorOf;
using internal::HttpReply;
using internal::IsSuccess;
using internal::Malformed;
using internal::NewDocument;
using internal::Render;
using internal::Root;

namespace {

TimePoint Seconds(const pugi::xml_node& node, std::string_view name) {
  return FromUnixMillis(ChildInt(node, name) * 1000);
}

std::string TopicBody(const TopicAttributes& a) {
  pugi::xml_document doc;
  pugi::xml_node t = NewDocument(doc, "Topic");
  if (a.maximum_message_size) {
    Add(t, "MaximumMessageSize", std::to_string(*a.maximum_message_size));
  }
  if (a.message_retention_period) {
    Add(t, "MessageRetentionPeriod",
        std::to_string(*a.message_retention_period));
  }
  if (a.logging_enabled) {
    Add(t, "LoggingEnabled", *a.logging_enabled ? "True" : "False");
  }
  return Render(doc);
}

std::string SubscriptionBody(const SubscriptionAttributes& a, bool update) {
  pugi::xml_document doc;
  pugi::xml_node s = NewDocument(doc, "Subscription");
  if (a.endpoint && !update) Add(s, "Endpoint", *a.endpoint);
  if (a.notify_strategy) {
    Add(s, "NotifyStrategy",
        std::string(NotifyStrategyName(*a.notify_strategy)));
  }
  if (a.notify_content_format && !update) {
    Add(s, "NotifyContentFormat",
        std::string(NotifyContentFormatName(*a.notify_content_format)));
  }
  if (a.filter_tag) Add(s, "FilterTag", *a.filter_tag);
  return Render(doc);
}

TopicInfo ParseTopic(const pugi::xml_node& t) {
  return {
      .name = Child(t, "TopicName"),
      .create_time = Seconds(t, "CreateTime"),
      .last_modify_time = Seconds(t, "LastModifyTime"),
      .maximum_message_size = ChildInt(t, "MaximumMessageSize"),
      .message_retention_period = ChildInt(t, "MessageRetentionPeriod"),
      .message_count = ChildInt(t, "MessageCount"),
      .logging_enabled = EqualsIgnoreCase(Child(t, "LoggingEnabled"), "true")};
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

struct TopicClient::Impl : internal::ClientCore {
  using ClientCore::ClientCore;

  StatusOr<HttpReply> Call(const std::string& method, const std::string& target,
                           const std::string& body = "",
                           internal::Headers extra = {},
                           bool retryable = true) {
    return CallMns(*this, method, target, body, std::move(extra), retryable);
  }
  // A PUT that creates: true on 201, false on 204.
  StatusOr<bool> Create(const std::string& target, const std::string& body) {
    MNS_ASSIGN_OR_RETURN(HttpReply reply, Call("PUT", target, body));
    if (!IsSuccess(reply)) return ErrorOf(reply);
    return reply.status == 201;
  }
  Status NoContent(const std::string& method, const std::string& target,
                   const std::string& body = "") {
    MNS_ASSIGN_OR_RETURN(HttpReply reply, Call(method, target, body));
    return IsSuccess(reply) ? OkStatus() : ErrorOf(reply);
  }
};

TopicClient::TopicClient(ClientOptions options)
    : TopicClient(std::move(options), nullptr) {}
TopicClient::TopicClient(ClientOptions options,
                         std::shared_ptr<internal::Transport> transport)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transport))) {}
TopicClient::~TopicClient() = default;

StatusOr<bool> TopicClient::CreateTopic(const std::string& topic,
                                        const TopicAttributes& attributes) {
  return impl_->Create("/topics/" + topic, TopicBody(attributes));
}

Status TopicClient::SetTopicAttributes(const std::string& topic,
                                       const TopicAttributes& attributes) {
  return impl_->NoContent("PUT", "/topics/" + topic + "?metaoverride=true",
                          TopicBody(attributes));
}

StatusOr<TopicInfo> TopicClient::GetTopicAttributes(const std::string& topic) {
  MNS_ASSIGN_OR_RETURN(HttpReply reply, impl_->Call("GET", "/topics/" + topic));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto root = Root(doc, reply.body, "Topic");
  if (!root) return Malformed(reply, "GetTopicAttributes");
  return ParseTopic(*root);
}

Status TopicClient::DeleteTopic(const std::string& topic) {
  return impl_->NoContent("DELETE", "/topics/" + topic);
}

StatusOr<TopicPage> TopicClient::ListTopics(const std::string& prefix,
                                            const std::string& marker,
                                            int page_size) {
  MNS_ASSIGN_OR_RETURN(
      internal::ListedPage page,
      internal::ListPage(*impl_, "/topics", "Topics", "Topic", "TopicURL",
                         prefix, marker, page_size));
  return TopicPage{.topic_urls = std::move(page.urls),
                   .topic_names = std::move(page.names),
                   .next_marker = std::move(page.next_marker)};
}

StatusOr<PublishMessageResult> TopicClient::PublishMessage(
    const std::string& topic, const PublishMessageRequest& request) {
  pugi::xml_document doc;
  pugi::xml_node m = NewDocument(doc, "Message");
  Add(m, "MessageBody", request.body);
  if (!request.tag.empty()) Add(m, "MessageTag", request.tag);
  if (!request.attributes.empty()) {
    pugi::xml_node attributes = m.append_child("MessageAttributes");
    for (const auto& [name, json] : request.attributes) {
      Add(attributes, name.c_str(), json);
    }
  }
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("POST", "/topics/" + topic + "/messages", Render(doc), {},
                  impl_->options.retry.retry_send));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document out;
  auto root = Root(out, reply.body, "Message");
  if (!root) return Malformed(reply, "PublishMessage");
  return PublishMessageResult{.message_id = Child(*root, "MessageId"),
                              .body_md5 = Child(*root, "MessageBodyMD5")};
}

StatusOr<bool> TopicClient::Subscribe(
    const std::string& topic, const std::string& subscription,
    const SubscriptionAttributes& attributes) {
  return impl_->Create("/topics/" + topic + "/subscriptions/" + subscription,
                       SubscriptionBody(attributes, /*update=*/false));
}

Status TopicClient::SetSubscriptionAttributes(
    const std::string& topic, const std::string& subscription,
    const SubscriptionAttributes& attributes) {
  return impl_->NoContent("PUT",
                          "/topics/" + topic + "/subscriptions/" +
                              subscription + "?metaoverride=true",
                          SubscriptionBody(attributes, /*update=*/true));
}

StatusOr<SubscriptionInfo> TopicClient::GetSubscriptionAttributes(
    const std::string& topic, const std::string& subscription) {
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("GET",
                  "/topics/" + topic + "/subscriptions/" + subscription));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto root = Root(doc, reply.body, "Subscription");
  if (!root) return Malformed(reply, "GetSubscriptionAttributes");
  const pugi::xml_node s = *root;
  const std::string format = Child(s, "NotifyContentFormat");
  return SubscriptionInfo{
      .topic_owner = Child(s, "TopicOwner"),
      .topic_name = Child(s, "TopicName"),
      .subscription_name = Child(s, "SubscriptionName"),
      .endpoint = Child(s, "Endpoint"),
      .notify_strategy = Child(s, "NotifyStrategy") == "EXPONENTIAL_DECAY_RETRY"
                             ? NotifyStrategy::kExponentialDecayRetry
                             : NotifyStrategy::kBackoffRetry,
      .notify_content_format = format == "JSON" ? NotifyContentFormat::kJson
                               : format == "SIMPLIFIED"
                                   ? NotifyContentFormat::kSimplified
                                   : NotifyContentFormat::kXml,
      .filter_tag = Child(s, "FilterTag"),
      .create_time = Seconds(s, "CreateTime"),
      .last_modify_time = Seconds(s, "LastModifyTime")};
}

Status TopicClient::Unsubscribe(const std::string& topic,
                                const std::string& subscription) {
  return impl_->NoContent(
      "DELETE", "/topics/" + topic + "/subscriptions/" + subscription);
}

StatusOr<SubscriptionPage> TopicClient::ListSubscriptions(
    const std::string& topic, const std::string& prefix,
    const std::string& marker, int page_size) {
  MNS_ASSIGN_OR_RETURN(
      internal::ListedPage page,
      internal::ListPage(*impl_, "/topics/" + topic + "/subscriptions",
                         "Subscriptions", "Subscription", "SubscriptionURL",
                         prefix, marker, page_size));
  return SubscriptionPage{.subscription_urls = std::move(page.urls),
                          .subscription_names = std::move(page.names),
                          .next_marker = std::move(page.next_marker)};
}

std::string TopicClient::QueueEndpoint(const std::string& region,
                                       const std::string& account_id,
                                       const std::string& queue) {
  return "acs:mns:" + region + ":" + account_id + ":queues/" + queue;
}

std::string TopicClient::MailEndpoint(const std::string& address) {
  return "mail:directmail:" + address;
}

std::string TopicClient::SmsEndpoint(const std::string& phone) {
  return "sms:directsms:" + (phone.empty() ? std::string("anonymous") : phone);
}

}  // namespace mns
