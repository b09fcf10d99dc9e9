#include "mns/mns_client.h"

#include <charconv>
#include <pugixml.hpp>

#include "client/src/client_core.h"
#include "client/src/mns_wire.h"
#include "mns/common/crypto.h"
#include "mns/common/random.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"
#include "mns/common/xml.h"

namespace mns {
using internal::Add;
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

std::string QueueBody(const QueueAttributes& a) {
  pugi::xml_document doc;
  pugi::xml_node q = NewDocument(doc, "Queue");
  auto add = [&](const char* name, const std::optional<int64_t>& v) {
    if (v) Add(q, name, std::to_string(*v));
  };
  add("DelaySeconds", a.delay_seconds);
  add("MaximumMessageSize", a.maximum_message_size);
  add("MessageRetentionPeriod", a.message_retention_period);
  add("VisibilityTimeout", a.visibility_timeout);
  add("PollingWaitSeconds", a.polling_wait_seconds);
  if (a.logging_enabled)
    Add(q, "LoggingEnabled", *a.logging_enabled ? "True" : "False");
  return Render(doc);
}

}  // namespace

struct MnsClient::Impl : internal::ClientCore {
  using ClientCore::ClientCore;

  // Builds, signs and sends a request, retrying per the policy. Returns the
  // last reply whatever its status; a transport error only when no reply
  // came.
  StatusOr<HttpReply> Call(const std::string& method, const std::string& target,
                           const std::string& body, internal::Headers extra,
                           bool retryable, Duration wait = Duration(0),
                           std::stop_token stop = {},
                           bool* response_lost = nullptr);
  Message ParseMessage(const pugi::xml_node& node) const;
  // GET /queues/<queue>/messages?<query>: a <Message> reply, or with
  // `batch` a <Messages> one. `wait_seconds` (absent: the queue's own, at
  // most 30) stretches the read timeout.
  StatusOr<std::vector<Message>> GetMessages(const std::string& queue,
                                             const std::string& query,
                                             bool batch,
                                             std::optional<int> wait_seconds,
                                             std::stop_token stop);
};

StatusOr<HttpReply> MnsClient::Impl::Call(
    const std::string& method, const std::string& target,
    const std::string& body, internal::Headers extra, bool retryable,
    Duration wait, std::stop_token stop, bool* response_lost) {
  return internal::CallMns(*this, method, target, body, std::move(extra),
                           retryable, wait, stop, response_lost);
}

StatusOr<std::vector<Message>> MnsClient::Impl::GetMessages(
    const std::string& queue, const std::string& query, bool batch,
    std::optional<int> wait_seconds, std::stop_token stop) {
  std::string target = "/queues/" + queue + "/messages";
  if (!query.empty()) target += "?" + query;
  MNS_ASSIGN_OR_RETURN(HttpReply reply,
                       Call("GET", target, "", {}, true,
                            Duration(1000 * wait_seconds.value_or(30)), stop));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto root = Root(doc, reply.body, batch ? "Messages" : "Message");
  if (!root) return Malformed(reply, "GET " + target);
  std::vector<Message> out;
  if (!batch) {
    out.push_back(ParseMessage(*root));
    return out;
  }
  for (pugi::xml_node m : root->children()) {
    if (LocalName(m) == "Message") out.push_back(ParseMessage(m));
  }
  return out;
}

Message MnsClient::Impl::ParseMessage(const pugi::xml_node& node) const {
  Message m{
      .message_id = Child(node, "MessageId"),
      .body_md5 = Child(node, "MessageBodyMD5"),
      .receipt_handle = Child(node, "ReceiptHandle"),
      .enqueue_time = FromUnixMillis(ChildInt(node, "EnqueueTime")),
      .next_visible_time = FromUnixMillis(ChildInt(node, "NextVisibleTime")),
      .dequeue_count = ChildInt(node, "DequeueCount"),
      .priority = ChildInt(node, "Priority")};
  m.raw_body = Child(node, "MessageBody");
  m.body = m.raw_body;
  if (options.base64_bodies) {
    if (auto decoded = Base64Decode(m.raw_body)) m.body = std::move(*decoded);
  }
  if (int64_t first = ChildInt(node, "FirstDequeueTime"); first > 0) {
    m.first_dequeue_time = FromUnixMillis(first);
  }
  return m;
}

MnsClient::MnsClient(ClientOptions options)
    : MnsClient(std::move(options), nullptr) {}

MnsClient::MnsClient(ClientOptions options,
                     std::shared_ptr<internal::Transport> transport)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(transport))) {}

MnsClient::~MnsClient() = default;

StatusOr<bool> MnsClient::CreateQueue(const std::string& queue,
                                      const QueueAttributes& attributes) {
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("PUT", "/queues/" + queue, QueueBody(attributes), {}, true));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  return reply.status == 201;
}

Status MnsClient::SetQueueAttributes(const std::string& queue,
                                     const QueueAttributes& attributes) {
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("PUT", "/queues/" + queue + "?metaoverride=true",
                  QueueBody(attributes), {}, true));
  return IsSuccess(reply) ? OkStatus() : ErrorOf(reply);
}

StatusOr<QueueInfo> MnsClient::GetQueueAttributes(const std::string& queue) {
  MNS_ASSIGN_OR_RETURN(HttpReply reply,
                       impl_->Call("GET", "/queues/" + queue, "", {}, true));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto root = Root(doc, reply.body, "Queue");
  if (!root) return Malformed(reply, "GetQueueAttributes");
  const pugi::xml_node q = *root;
  return QueueInfo{
      .name = Child(q, "QueueName"),
      .create_time = FromUnixMillis(ChildInt(q, "CreateTime") * 1000),
      .last_modify_time = FromUnixMillis(ChildInt(q, "LastModifyTime") * 1000),
      .delay_seconds = ChildInt(q, "DelaySeconds"),
      .maximum_message_size = ChildInt(q, "MaximumMessageSize"),
      .message_retention_period = ChildInt(q, "MessageRetentionPeriod"),
      .visibility_timeout = ChildInt(q, "VisibilityTimeout"),
      .polling_wait_seconds = ChildInt(q, "PollingWaitSeconds"),
      .logging_enabled = EqualsIgnoreCase(Child(q, "LoggingEnabled"), "true"),
      .active_messages = ChildInt(q, "ActiveMessages"),
      .inactive_messages = ChildInt(q, "InactiveMessages"),
      .delay_messages = ChildInt(q, "DelayMessages"),
  };
}

Status MnsClient::DeleteQueue(const std::string& queue) {
  MNS_ASSIGN_OR_RETURN(HttpReply reply,
                       impl_->Call("DELETE", "/queues/" + queue, "", {}, true));
  return IsSuccess(reply) ? OkStatus() : ErrorOf(reply);
}

StatusOr<QueuePage> MnsClient::ListQueues(const std::string& prefix,
                                          const std::string& marker,
                                          int page_size) {
  MNS_ASSIGN_OR_RETURN(
      internal::ListedPage page,
      internal::ListPage(*impl_, "/queues", "Queues", "Queue", "QueueURL",
                         prefix, marker, page_size));
  return QueuePage{.queue_urls = std::move(page.urls),
                   .queue_names = std::move(page.names),
                   .next_marker = std::move(page.next_marker)};
}

MnsClient::QueueNames MnsClient::ListAllQueues(const std::string& prefix,
                                               int page_size) {
  return QueueNames(this, prefix, page_size);
}

std::optional<std::string> MnsClient::QueueNames::Next() {
  while (index_ == page_.size()) {
    if (last_page_ || !status_.ok()) return std::nullopt;
    auto page = client_->ListQueues(prefix_, marker_, page_size_);
    if (!page.ok()) {
      status_ = page.status();
      return std::nullopt;
    }
    page_ = std::move(page->queue_names);
    index_ = 0;
    marker_ = page->next_marker;
    last_page_ = marker_.empty();
  }
  return page_[index_++];
}

namespace {

void AddMessage(pugi::xml_node node, const SendMessageRequest& r, bool base64) {
  Add(node, "MessageBody", base64 ? Base64Encode(r.body) : r.body);
  if (r.delay_seconds)
    Add(node, "DelaySeconds", std::to_string(*r.delay_seconds));
  if (r.priority) Add(node, "Priority", std::to_string(*r.priority));
}

}  // namespace

StatusOr<SendMessageResult> MnsClient::SendMessage(
    const std::string& queue, const SendMessageRequest& request) {
  pugi::xml_document doc;
  AddMessage(NewDocument(doc, "Message"), request,
             impl_->options.base64_bodies);
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("POST", "/queues/" + queue + "/messages", Render(doc), {},
                  impl_->options.retry.retry_send));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document out;
  auto root = Root(out, reply.body, "Message");
  if (!root) return Malformed(reply, "SendMessage");
  return SendMessageResult{.message_id = Child(*root, "MessageId"),
                           .body_md5 = Child(*root, "MessageBodyMD5"),
                           .receipt_handle = Child(*root, "ReceiptHandle")};
}

StatusOr<std::vector<BatchSendEntry>> MnsClient::BatchSendMessage(
    const std::string& queue, const std::vector<SendMessageRequest>& requests) {
  pugi::xml_document doc;
  pugi::xml_node messages = NewDocument(doc, "Messages");
  for (const auto& r : requests) {
    AddMessage(messages.append_child("Message"), r,
               impl_->options.base64_bodies);
  }
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("POST", "/queues/" + queue + "/messages", Render(doc), {},
                  impl_->options.retry.retry_send));
  // A partial failure is a non-2xx reply whose body lists every entry.
  pugi::xml_document out;
  auto root = Root(out, reply.body, "Messages");
  if (!root)
    return IsSuccess(reply) ? Malformed(reply, "BatchSendMessage")
                            : ErrorOf(reply);
  std::vector<BatchSendEntry> entries;
  for (pugi::xml_node m : root->children()) {
    if (LocalName(m) != "Message") continue;
    std::string code = Child(m, "ErrorCode");
    if (!code.empty()) {
      entries.push_back(
          Status(StatusCode::kInvalidArgument, Child(m, "ErrorMessage"), code));
    } else {
      entries.push_back(
          SendMessageResult{.message_id = Child(m, "MessageId"),
                            .body_md5 = Child(m, "MessageBodyMD5")});
    }
  }
  return entries;
}

StatusOr<std::vector<Message>> MnsClient::BatchReceiveMessage(
    const std::string& queue, int max_messages, std::optional<int> wait_seconds,
    std::stop_token stop) {
  std::string query = "numOfMessages=" + std::to_string(max_messages);
  if (wait_seconds) query += "&waitseconds=" + std::to_string(*wait_seconds);
  return impl_->GetMessages(queue, query, /*batch=*/true, wait_seconds, stop);
}

StatusOr<Message> MnsClient::ReceiveMessage(const std::string& queue,
                                            std::optional<int> wait_seconds,
                                            std::stop_token stop) {
  const std::string query =
      wait_seconds ? "waitseconds=" + std::to_string(*wait_seconds) : "";
  MNS_ASSIGN_OR_RETURN(
      std::vector<Message> messages,
      impl_->GetMessages(queue, query, /*batch=*/false, wait_seconds, stop));
  return std::move(messages.front());
}

StatusOr<Message> MnsClient::PeekMessage(const std::string& queue) {
  MNS_ASSIGN_OR_RETURN(
      std::vector<Message> messages,
      impl_->GetMessages(queue, "peekonly=true", /*batch=*/false, 0, {}));
  return std::move(messages.front());
}

StatusOr<std::vector<Message>> MnsClient::BatchPeekMessage(
    const std::string& queue, int max_messages) {
  return impl_->GetMessages(
      queue, "peekonly=true&numOfMessages=" + std::to_string(max_messages),
      /*batch=*/true, 0, {});
}

Status MnsClient::DeleteMessage(const std::string& queue,
                                const std::string& receipt_handle) {
  bool response_lost = false;
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call(
          "DELETE",
          "/queues/" + queue + "/messages?ReceiptHandle=" + receipt_handle, "",
          {}, true, Duration(0), {}, &response_lost));
  if (IsSuccess(reply)) return OkStatus();
  Status error = ErrorOf(reply);
  // An earlier try whose response was lost deleted the message: the retry
  // finds it gone. That is the outcome the caller asked for.
  if (response_lost && error.error_code() == "MessageNotExist") {
    return OkStatus();
  }
  return error;
}

StatusOr<std::vector<BatchDeleteError>> MnsClient::BatchDeleteMessage(
    const std::string& queue, const std::vector<std::string>& receipt_handles) {
  pugi::xml_document doc;
  pugi::xml_node handles = NewDocument(doc, "ReceiptHandles");
  for (const auto& h : receipt_handles) Add(handles, "ReceiptHandle", h);
  MNS_ASSIGN_OR_RETURN(HttpReply reply,
                       impl_->Call("DELETE", "/queues/" + queue + "/messages",
                                   Render(doc), {}, true));
  if (IsSuccess(reply)) return std::vector<BatchDeleteError>{};
  pugi::xml_document out;
  auto root = Root(out, reply.body, "Errors");
  if (!root) return ErrorOf(reply);
  std::vector<BatchDeleteError> errors;
  for (pugi::xml_node e : root->children()) {
    if (LocalName(e) != "Error") continue;
    errors.push_back({.receipt_handle = Child(e, "ReceiptHandle"),
                      .error_code = Child(e, "ErrorCode"),
                      .error_message = Child(e, "ErrorMessage")});
  }
  return errors;
}

StatusOr<VisibilityChange> MnsClient::ChangeMessageVisibility(
    const std::string& queue, const std::string& receipt_handle,
    int visibility_timeout_seconds) {
  MNS_ASSIGN_OR_RETURN(
      HttpReply reply,
      impl_->Call("PUT",
                  "/queues/" + queue + "/messages?ReceiptHandle=" +
                      receipt_handle + "&VisibilityTimeout=" +
                      std::to_string(visibility_timeout_seconds),
                  "", {}, true));
  if (!IsSuccess(reply)) return ErrorOf(reply);
  pugi::xml_document doc;
  auto root = Root(doc, reply.body, "ChangeVisibility");
  if (!root) return Malformed(reply, "ChangeMessageVisibility");
  return VisibilityChange{
      .receipt_handle = Child(*root, "ReceiptHandle"),
      .next_visible_time = FromUnixMillis(ChildInt(*root, "NextVisibleTime"))};
}

}  // namespace mns
