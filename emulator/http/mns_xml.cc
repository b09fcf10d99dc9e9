#include "emulator/http/mns_xml.h"

#include <strings.h>

#include <charconv>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <pugixml.hpp>

#include "emulator/core/errors.h"
#include "emulator/http/mns_errors.h"
#include "mns/common/strings.h"
#include "mns/common/xml.h"

namespace mns::emulator {
namespace {

Status MalformedXmlError() {
  return Status(StatusCode::kInvalidArgument,
                "The XML you provided was not well-formed.", "MalformedXML");
}

StatusOr<int64_t> IntValue(const pugi::xml_node& node) {
  std::string_view text = TrimAsciiWhitespace(node.child_value());
  int64_t value = 0;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return SchemaInvalidError(std::string(LocalName(node)) +
                              " is not an integer");
  }
  return value;
}

StatusOr<bool> BoolValue(const pugi::xml_node& node) {
  std::string_view text = TrimAsciiWhitespace(node.child_value());
  if (EqualsIgnoreCase(text, "true")) return true;
  if (EqualsIgnoreCase(text, "false")) return false;
  return SchemaInvalidError(std::string(LocalName(node)) +
                            " is not True or False");
}

// Parses a body whose root must be one of `roots`.
StatusOr<pugi::xml_node> Parse(pugi::xml_document& doc, std::string_view body,
                               std::initializer_list<std::string_view> roots) {
  pugi::xml_parse_result parsed = LoadXml(doc, body);
  if (!parsed || !IsStrictXml(body)) {
    return MalformedXmlError();
  }
  pugi::xml_node root = doc.document_element();
  if (!root) return MalformedXmlError();
  for (std::string_view r : roots) {
    if (LocalName(root) == r) return root;
  }
  return SchemaInvalidError("the root element " + std::string(LocalName(root)) +
                            " is not expected");
}

// Writes `<name>value</name>` under `parent`.
void Add(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}
void Add(pugi::xml_node parent, const char* name, int64_t value) {
  Add(parent, name, std::to_string(value));
}
void AddBool(pugi::xml_node parent, const char* name, bool value) {
  Add(parent, name, std::string(value ? "True" : "False"));
}

class Document {
 public:
  explicit Document(const char* root) {
    auto decl = doc_.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    root_ = doc_.append_child(root);
    root_.append_attribute("xmlns") = kMnsXmlNamespace;
  }
  pugi::xml_node root() { return root_; }
  std::string Finish() {
    std::ostringstream out;
    // One element per line, indented, text-only elements on one line: the
    // PHP and Python SDKs cannot read message properties otherwise (spec
    // topic §1.4, §5.3). An empty element is written <Queues ...></Queues>,
    // as the cloud does.
    doc_.save(out, "  ",
              pugi::format_indent | pugi::format_no_empty_element_tags,
              pugi::encoding_utf8);
    return out.str();
  }

 private:
  pugi::xml_document doc_;
  pugi::xml_node root_;
};

void AddAttributes(pugi::xml_node node, const QueueSnapshot& q) {
  Add(node, "QueueName", q.name);
  Add(node, "CreateTime", ToUnixSeconds(q.create_time));
  Add(node, "LastModifyTime", ToUnixSeconds(q.last_modify_time));
  Add(node, "DelaySeconds", q.attributes.delay_seconds);
  Add(node, "MaximumMessageSize", q.attributes.maximum_message_size);
  Add(node, "MessageRetentionPeriod", q.attributes.message_retention_period);
  Add(node, "VisibilityTimeout", q.attributes.visibility_timeout);
  Add(node, "PollingWaitSeconds", q.attributes.polling_wait_seconds);
  Add(node, "ActiveMessages", q.counts.active);
  Add(node, "InactiveMessages", q.counts.inactive);
  Add(node, "DelayMessages", q.counts.delayed);
  AddBool(node, "LoggingEnabled", q.attributes.logging_enabled);
}

void AddProperties(pugi::xml_node parent, const char* name, const char* item,
                   const std::vector<MessageProperty>& properties) {
  if (properties.empty()) return;
  pugi::xml_node list = parent.append_child(name);
  for (const MessageProperty& property : properties) {
    pugi::xml_node entry = list.append_child(item);
    Add(entry, "Name", property.name);
    Add(entry, "Value", property.value);
    Add(entry, "Type", property.type);
  }
}

void AddMessage(pugi::xml_node node, const MessageView& m, bool peek) {
  Add(node, "MessageId", m.message_id);
  Add(node, "MessageBodyMD5", m.body_md5);
  Add(node, "MessageBody", m.body);
  if (!peek) Add(node, "ReceiptHandle", m.receipt_handle);
  Add(node, "EnqueueTime", m.enqueue_time);
  Add(node, "FirstDequeueTime", m.first_dequeue_time);
  if (!peek) Add(node, "NextVisibleTime", m.next_visible_time);
  Add(node, "DequeueCount", m.dequeue_count);
  Add(node, "Priority", m.priority);
  // After every scalar, system before user, user last: the PHP SDK reads
  // user properties to the end of the document (spec topic §5.2, §5.3).
  if (m.properties) {
    AddProperties(node, "SystemProperties", "SystemPropertyValue",
                  m.properties->system);
    AddProperties(node, "UserProperties", "PropertyValue", m.properties->user);
  }
}

// <UserProperties><PropertyValue><Name/><Value/><Type/></PropertyValue>...
// (spec topic §5.1); the core checks names, types and limits.
StatusOr<std::vector<MessageProperty>> ParseProperties(
    const pugi::xml_node& node, std::string_view item) {
  std::vector<MessageProperty> properties;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (LocalName(child) != item) {
      return SchemaInvalidError("the element " + std::string(LocalName(child)) +
                                " is not expected in " +
                                std::string(LocalName(node)));
    }
    MessageProperty property;
    for (pugi::xml_node field : child.children()) {
      if (field.type() != pugi::node_element) continue;
      std::string_view name = LocalName(field);
      if (name == "Name") {
        property.name = ElementText(field);
      } else if (name == "Value") {
        property.value = ElementText(field);
      } else if (name == "Type") {
        property.type = ElementText(field);
      }
    }
    properties.push_back(std::move(property));
  }
  return properties;
}

StatusOr<SendRequest> ParseMessage(const pugi::xml_node& node) {
  SendRequest request;
  bool has_body = false;
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = LocalName(child);
    if (name == "MessageBody") {
      has_body = true;
      request.body = ElementText(child);
    } else if (name == "DelaySeconds") {
      MNS_ASSIGN_OR_RETURN(request.delay_seconds, IntValue(child));
    } else if (name == "Priority") {
      MNS_ASSIGN_OR_RETURN(request.priority, IntValue(child));
    } else if (name == "UserProperties") {
      MNS_ASSIGN_OR_RETURN(request.properties.user,
                           ParseProperties(child, "PropertyValue"));
    } else if (name == "SystemProperties") {
      MNS_ASSIGN_OR_RETURN(request.properties.system,
                           ParseProperties(child, "SystemPropertyValue"));
    }
    // Other elements (MessageGroupId, ...) are ignored.
  }
  if (!has_body) return SchemaInvalidError("MessageBody is missing");
  return request;
}

void AddTopicAttributes(pugi::xml_node node, const TopicSnapshot& t) {
  // The seven children of spec topic §2.3, in its order.
  Add(node, "TopicName", t.name);
  Add(node, "CreateTime", ToUnixSeconds(t.create_time));
  Add(node, "LastModifyTime", ToUnixSeconds(t.last_modify_time));
  Add(node, "MaximumMessageSize", t.attributes.maximum_message_size);
  Add(node, "MessageRetentionPeriod", t.attributes.message_retention_period);
  Add(node, "MessageCount", t.message_count);
  AddBool(node, "LoggingEnabled", t.attributes.logging_enabled);
}

// Alphabetical, as the docs' example (spec topic §3.3); FilterTag only when
// set; Subscriber after SubscriptionName (UNCONFIRMED, §10 item 10).
void AddSubscriptionAttributes(pugi::xml_node node, const Subscription& s,
                               const std::string& owner) {
  Add(node, "CreateTime", ToUnixSeconds(s.create_time));
  Add(node, "Endpoint", s.attributes.endpoint);
  if (!s.attributes.filter_tag.empty()) {
    Add(node, "FilterTag", s.attributes.filter_tag);
  }
  Add(node, "LastModifyTime", ToUnixSeconds(s.last_modify_time));
  Add(node, "NotifyContentFormat",
      std::string(NotifyContentFormatName(s.attributes.notify_content_format)));
  Add(node, "NotifyStrategy",
      std::string(NotifyStrategyName(s.attributes.notify_strategy)));
  Add(node, "SubscriptionName", s.name);
  Add(node, "Subscriber", owner);
  Add(node, "TopicName", s.topic);
  Add(node, "TopicOwner", owner);
}

// Reads the element children of an optional body whose root is `root`:
// each child named in `fields` goes to its reader, the rest is ignored. An
// empty body has no fields (the SDKs send <Queue/>, or nothing).
using FieldReader = std::function<Status(const pugi::xml_node&)>;
Status ReadFields(std::string_view body, std::string_view root,
                  const std::map<std::string_view, FieldReader>& fields) {
  if (TrimAsciiWhitespace(body).empty()) return OkStatus();
  pugi::xml_document doc;
  MNS_ASSIGN_OR_RETURN(pugi::xml_node node, Parse(doc, body, {root}));
  for (pugi::xml_node child : node.children()) {
    if (child.type() != pugi::node_element) continue;
    if (auto it = fields.find(LocalName(child)); it != fields.end()) {
      MNS_RETURN_IF_ERROR(it->second(child));
    }
  }
  return OkStatus();
}

FieldReader IntInto(std::optional<int64_t>& out) {
  return [&out](const pugi::xml_node& node) -> Status {
    MNS_ASSIGN_OR_RETURN(out, IntValue(node));
    return OkStatus();
  };
}
FieldReader BoolInto(std::optional<bool>& out) {
  return [&out](const pugi::xml_node& node) -> Status {
    MNS_ASSIGN_OR_RETURN(out, BoolValue(node));
    return OkStatus();
  };
}
// `trim`: enumerations and names, where surrounding white space is noise.
FieldReader TextInto(std::optional<std::string>& out, bool trim) {
  return [&out, trim](const pugi::xml_node& node) {
    const std::string text = ElementText(node);
    out = trim ? std::string(TrimAsciiWhitespace(text)) : text;
    return OkStatus();
  };
}

}  // namespace

StatusOr<QueueAttributeUpdate> ParseQueueBody(std::string_view body) {
  QueueAttributeUpdate update;
  MNS_RETURN_IF_ERROR(ReadFields(
      body, "Queue",
      {{"DelaySeconds", IntInto(update.delay_seconds)},
       {"MaximumMessageSize", IntInto(update.maximum_message_size)},
       {"MessageRetentionPeriod", IntInto(update.message_retention_period)},
       {"VisibilityTimeout", IntInto(update.visibility_timeout)},
       {"PollingWaitSeconds", IntInto(update.polling_wait_seconds)},
       {"LoggingEnabled", BoolInto(update.logging_enabled)}}));
  return update;
}

StatusOr<AccountAttributeUpdate> ParseAccountBody(std::string_view body) {
  AccountAttributeUpdate update;
  MNS_RETURN_IF_ERROR(
      ReadFields(body, "Account",
                 {{"LoggingBucket", TextInto(update.logging_bucket, false)},
                  {"TraceEnabled", IntInto(update.trace_enabled)}}));
  return update;
}

StatusOr<SendBody> ParseSendBody(std::string_view body) {
  pugi::xml_document doc;
  MNS_ASSIGN_OR_RETURN(pugi::xml_node root,
                       Parse(doc, body, {"Message", "Messages"}));
  SendBody out;
  if (LocalName(root) == "Message") {
    MNS_ASSIGN_OR_RETURN(SendRequest request, ParseMessage(root));
    out.messages.push_back(std::move(request));
    return out;
  }
  out.batch = true;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    if (LocalName(child) != "Message") {
      return SchemaInvalidError("the element " + std::string(LocalName(child)) +
                                " is not expected in Messages");
    }
    MNS_ASSIGN_OR_RETURN(SendRequest request, ParseMessage(child));
    out.messages.push_back(std::move(request));
  }
  return out;
}

StatusOr<std::vector<std::string>> ParseReceiptHandlesBody(
    std::string_view body) {
  pugi::xml_document doc;
  MNS_ASSIGN_OR_RETURN(pugi::xml_node root,
                       Parse(doc, body, {"ReceiptHandles"}));
  std::vector<std::string> handles;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    if (LocalName(child) != "ReceiptHandle") {
      return SchemaInvalidError("the element " + std::string(LocalName(child)) +
                                " is not expected in ReceiptHandles");
    }
    handles.emplace_back(TrimAsciiWhitespace(child.child_value()));
  }
  return handles;
}

std::string RenderAccount(const AccountAttributes& attributes) {
  Document doc("Account");
  Add(doc.root(), "LoggingBucket", attributes.logging_bucket);
  if (attributes.trace_enabled) {
    Add(doc.root(), "TraceEnabled", *attributes.trace_enabled);
  }
  return doc.Finish();
}

std::string RenderQueue(const QueueSnapshot& queue) {
  Document doc("Queue");
  AddAttributes(doc.root(), queue);
  return doc.Finish();
}

std::string RenderQueueList(const QueueListing& listing,
                            const std::string& queue_url_base, bool with_meta) {
  Document doc("Queues");
  for (const QueueSnapshot& q : listing.queues) {
    pugi::xml_node node = doc.root().append_child("Queue");
    Add(node, "QueueURL", queue_url_base + q.name);
    if (with_meta) AddAttributes(node, q);
  }
  if (!listing.next_marker.empty()) {
    Add(doc.root(), "NextMarker", listing.next_marker);
  }
  return doc.Finish();
}

std::string RenderSendResult(const SendResult& result) {
  Document doc("Message");
  Add(doc.root(), "MessageId", result.message_id);
  Add(doc.root(), "MessageBodyMD5", result.body_md5);
  if (result.receipt_handle) {
    Add(doc.root(), "ReceiptHandle", *result.receipt_handle);
  }
  return doc.Finish();
}

// Each entry holds exactly {MessageId, MessageBodyMD5} or exactly
// {ErrorCode, ErrorMessage}: the Python SDK rejects any other key set
// (spec mns §3.8).
std::string RenderBatchSendResult(const std::vector<BatchSendEntry>& entries) {
  Document doc("Messages");
  for (const BatchSendEntry& entry : entries) {
    pugi::xml_node node = doc.root().append_child("Message");
    if (entry.ok()) {
      Add(node, "MessageId", entry->message_id);
      Add(node, "MessageBodyMD5", entry->body_md5);
    } else {
      Add(node, "ErrorCode", entry.status().error_code());
      Add(node, "ErrorMessage", WireMessage(entry.status()));
    }
  }
  return doc.Finish();
}

std::string RenderMessage(const MessageView& message, bool peek) {
  Document doc("Message");
  AddMessage(doc.root(), message, peek);
  return doc.Finish();
}

std::string RenderMessages(const std::vector<MessageView>& messages,
                           bool peek) {
  Document doc("Messages");
  for (const MessageView& m : messages) {
    AddMessage(doc.root().append_child("Message"), m, peek);
  }
  return doc.Finish();
}

std::string RenderChangeVisibility(const ChangedVisibility& change) {
  Document doc("ChangeVisibility");
  Add(doc.root(), "ReceiptHandle", change.receipt_handle);
  Add(doc.root(), "NextVisibleTime", change.next_visible_time);
  return doc.Finish();
}

// Each <Error> holds exactly ErrorCode, ErrorMessage, ReceiptHandle (spec
// mns §3.13).
std::string RenderBatchDeleteErrors(
    const std::vector<BatchDeleteFailure>& failures) {
  Document doc("Errors");
  for (const BatchDeleteFailure& f : failures) {
    pugi::xml_node node = doc.root().append_child("Error");
    Add(node, "ErrorCode", f.error.error_code());
    Add(node, "ErrorMessage", WireMessage(f.error));
    Add(node, "ReceiptHandle", f.receipt_handle);
  }
  return doc.Finish();
}

StatusOr<TopicAttributeUpdate> ParseTopicBody(std::string_view body) {
  TopicAttributeUpdate update;
  MNS_RETURN_IF_ERROR(ReadFields(
      body, "Topic",
      {{"MaximumMessageSize", IntInto(update.maximum_message_size)},
       {"MessageRetentionPeriod", IntInto(update.message_retention_period)},
       {"LoggingEnabled", BoolInto(update.logging_enabled)}}));
  return update;
}

StatusOr<SubscriptionAttributeUpdate> ParseSubscriptionBody(
    std::string_view body) {
  SubscriptionAttributeUpdate update;
  MNS_RETURN_IF_ERROR(ReadFields(
      body, "Subscription",
      {{"Endpoint", TextInto(update.endpoint, true)},
       {"NotifyStrategy", TextInto(update.notify_strategy, true)},
       {"NotifyContentFormat", TextInto(update.notify_content_format, true)},
       {"FilterTag", TextInto(update.filter_tag, true)}}));
  return update;
}

StatusOr<PublishRequest> ParsePublishBody(std::string_view body) {
  pugi::xml_document doc;
  MNS_ASSIGN_OR_RETURN(pugi::xml_node root, Parse(doc, body, {"Message"}));
  PublishRequest request;
  for (pugi::xml_node child : root.children()) {
    if (child.type() != pugi::node_element) continue;
    std::string_view name = LocalName(child);
    if (name == "MessageBody") {
      request.body = ElementText(child);
    } else if (name == "MessageTag") {
      request.tag = std::string(TrimAsciiWhitespace(ElementText(child)));
    } else if (name == "MessageAttributes") {
      for (pugi::xml_node attribute : child.children()) {
        if (attribute.type() != pugi::node_element) continue;
        request.attributes[std::string(LocalName(attribute))] =
            ElementText(attribute);
      }
    } else if (name == "UserProperties") {
      MNS_ASSIGN_OR_RETURN(request.properties.user,
                           ParseProperties(child, "PropertyValue"));
    } else if (name == "SystemProperties") {
      MNS_ASSIGN_OR_RETURN(request.properties.system,
                           ParseProperties(child, "SystemPropertyValue"));
    }
    // MessageGroupId (Java) and the rest are ignored.
  }
  return request;
}

std::string RenderTopic(const TopicSnapshot& topic) {
  Document doc("Topic");
  AddTopicAttributes(doc.root(), topic);
  return doc.Finish();
}

std::string RenderTopicList(const TopicListing& listing,
                            const std::string& topic_url_base, bool with_meta) {
  Document doc("Topics");
  for (const TopicSnapshot& t : listing.topics) {
    pugi::xml_node node = doc.root().append_child("Topic");
    Add(node, "TopicURL", topic_url_base + t.name);
    if (with_meta) {
      AddTopicAttributes(node, t);
    } else {
      Add(node, "TopicName", t.name);
    }
  }
  if (!listing.next_marker.empty()) {
    Add(doc.root(), "NextMarker", listing.next_marker);
  }
  return doc.Finish();
}

std::string RenderPublishResult(const PublishedMessage& message) {
  Document doc("Message");
  Add(doc.root(), "MessageId", message.message_id);
  Add(doc.root(), "MessageBodyMD5", message.body_md5);
  return doc.Finish();
}

std::string RenderSubscription(const Subscription& subscription,
                               const std::string& owner) {
  Document doc("Subscription");
  AddSubscriptionAttributes(doc.root(), subscription, owner);
  return doc.Finish();
}

std::string RenderSubscriptionList(const SubscriptionListing& listing,
                                   const std::string& subscription_url_base,
                                   bool with_meta, const std::string& owner) {
  Document doc("Subscriptions");
  for (const Subscription& s : listing.subscriptions) {
    pugi::xml_node node = doc.root().append_child("Subscription");
    Add(node, "SubscriptionURL", subscription_url_base + s.name);
    if (with_meta) AddSubscriptionAttributes(node, s, owner);
  }
  if (!listing.next_marker.empty()) {
    Add(doc.root(), "NextMarker", listing.next_marker);
  }
  return doc.Finish();
}

std::string RenderError(const std::string& code, const std::string& message,
                        const std::string& request_id,
                        const std::string& host_id) {
  Document doc("Error");
  Add(doc.root(), "Code", code);
  Add(doc.root(), "Message", message);
  Add(doc.root(), "RequestId", request_id);
  Add(doc.root(), "HostId", host_id);
  return doc.Finish();
}

}  // namespace mns::emulator
