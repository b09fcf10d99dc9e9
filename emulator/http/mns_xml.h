// XML bodies of the MNS queue API (spec mns §1.4, §3): parsing requests by
// local name, ignoring namespaces; writing responses in the default namespace
// http://mns.aliyuncs.com/doc/v1 with True/False booleans and no empty
// elements. Pure functions over pugixml, thread-safe.
#ifndef MNS_EMULATOR_HTTP_MNS_XML_H_
#define MNS_EMULATOR_HTTP_MNS_XML_H_

#include <string>
#include <string_view>
#include <vector>

#include "emulator/service/queue_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/status.h"

namespace mns::emulator {

inline constexpr char kMnsXmlNamespace[] = "http://mns.aliyuncs.com/doc/v1";

// An empty body means no attributes (the SDKs send <Queue/> or nothing).
StatusOr<QueueAttributeUpdate> ParseQueueBody(std::string_view body);

struct SendBody {
  bool batch = false;  // root <Messages> rather than <Message>
  std::vector<SendRequest> messages;
};
StatusOr<SendBody> ParseSendBody(std::string_view body);

StatusOr<std::vector<std::string>> ParseReceiptHandlesBody(
    std::string_view body);

// <Account><LoggingBucket>b</LoggingBucket><TraceEnabled>1</TraceEnabled>
// </Account> (spec topic §6.1). An empty body changes nothing.
StatusOr<AccountAttributeUpdate> ParseAccountBody(std::string_view body);

std::string RenderQueue(const QueueSnapshot& queue);
// `queue_url_base` is "http://host/queues/"; with `with_meta` each entry also
// carries the queue's attributes (spec mns §3.6).
std::string RenderQueueList(const QueueListing& listing,
                            const std::string& queue_url_base, bool with_meta);
std::string RenderSendResult(const SendResult& result);
std::string RenderBatchSendResult(const std::vector<BatchSendEntry>& entries);
// `peek` leaves out ReceiptHandle and NextVisibleTime (spec mns §3.11).
std::string RenderMessage(const MessageView& message, bool peek);
std::string RenderMessages(const std::vector<MessageView>& messages, bool peek);
// LoggingBucket always, empty when unset; TraceEnabled only once set (spec
// topic §6.2).
std::string RenderAccount(const AccountAttributes& attributes);
std::string RenderChangeVisibility(const ChangedVisibility& change);
std::string RenderBatchDeleteErrors(
    const std::vector<BatchDeleteFailure>& failures);
// Topics (spec topic §2, §3). An empty body means no attributes.
StatusOr<TopicAttributeUpdate> ParseTopicBody(std::string_view body);
StatusOr<SubscriptionAttributeUpdate> ParseSubscriptionBody(
    std::string_view body);
// <Message> with MessageBody, MessageTag, MessageAttributes (each child's
// text kept as it came) and properties; other elements are ignored.
StatusOr<PublishRequest> ParsePublishBody(std::string_view body);

std::string RenderTopic(const TopicSnapshot& topic);
// `topic_url_base` is "http://host/topics/". Plain entries carry TopicURL and
// TopicName (the Node.js SDK's test reads TopicName); with `with_meta`, the
// attributes too (spec topic §2.5).
std::string RenderTopicList(const TopicListing& listing,
                            const std::string& topic_url_base, bool with_meta);
std::string RenderPublishResult(const PublishedMessage& message);
// `owner` is the topic's account.
std::string RenderSubscription(const Subscription& subscription,
                               const std::string& owner);
// `subscription_url_base` is "http://host/topics/<t>/subscriptions/".
std::string RenderSubscriptionList(const SubscriptionListing& listing,
                                   const std::string& subscription_url_base,
                                   bool with_meta, const std::string& owner);

std::string RenderError(const std::string& code, const std::string& message,
                        const std::string& request_id,
                        const std::string& host_id);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_MNS_XML_H_
