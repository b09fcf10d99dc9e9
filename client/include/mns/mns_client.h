// MnsClient: the 14 operations of the MNS queue API (spec mns §3).
//
// Every call returns a StatusOr whose error carries the MNS error code
// ("QueueNotExist"), its message and the request id. Calls are retried per
// ClientOptions::retry: transport errors, 5xx and QpsLimitExceeded on
// idempotent operations, never MessageNotExist, and SendMessage only when the
// caller opts in. The client owns a pool of keep-alive connections and is
// thread-safe; copying is not allowed, share it by reference or pointer.
#ifndef MNS_CLIENT_MNS_CLIENT_H_
#define MNS_CLIENT_MNS_CLIENT_H_

#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "mns/common/status.h"
#include "mns/options.h"
#include "mns/types.h"

namespace mns {

namespace internal {
class Transport;
}

class MnsClient {
 public:
  explicit MnsClient(ClientOptions options);
  // For tests: a client over another transport.
  MnsClient(ClientOptions options,
            std::shared_ptr<internal::Transport> transport);
  ~MnsClient();
  MnsClient(const MnsClient&) = delete;
  MnsClient& operator=(const MnsClient&) = delete;

  // True if created, false if it existed with the same attributes;
  // QueueAlreadyExist if it exists with others.
  StatusOr<bool> CreateQueue(const std::string& queue,
                             const QueueAttributes& attributes = {});
  Status SetQueueAttributes(const std::string& queue,
                            const QueueAttributes& attributes);
  StatusOr<QueueInfo> GetQueueAttributes(const std::string& queue);
  Status DeleteQueue(const std::string& queue);
  // One page of queue names starting with `prefix`, from `marker` on.
  StatusOr<QueuePage> ListQueues(const std::string& prefix = "",
                                 const std::string& marker = "",
                                 int page_size = 1000);
  // Every queue name starting with `prefix`, page by page.
  class QueueNames;
  QueueNames ListAllQueues(const std::string& prefix = "",
                           int page_size = 1000);

  StatusOr<SendMessageResult> SendMessage(const std::string& queue,
                                          const SendMessageRequest& request);
  // The outer Status is a whole-request error; otherwise one entry per
  // message, each its result or its error.
  StatusOr<std::vector<BatchSendEntry>> BatchSendMessage(
      const std::string& queue,
      const std::vector<SendMessageRequest>& requests);

  // `wait_seconds`: 0..30; absent uses the queue's PollingWaitSeconds.
  // MessageNotExist when nothing arrived. A stop request on `stop` ends the
  // long poll at once with kCancelled (the connection is dropped).
  StatusOr<Message> ReceiveMessage(const std::string& queue,
                                   std::optional<int> wait_seconds = {},
                                   std::stop_token stop = {});
  StatusOr<std::vector<Message>> BatchReceiveMessage(
      const std::string& queue, int max_messages,
      std::optional<int> wait_seconds = {}, std::stop_token stop = {});
  StatusOr<Message> PeekMessage(const std::string& queue);
  StatusOr<std::vector<Message>> BatchPeekMessage(const std::string& queue,
                                                  int max_messages);

  Status DeleteMessage(const std::string& queue,
                       const std::string& receipt_handle);
  // The handles that failed; empty when every one was deleted.
  StatusOr<std::vector<BatchDeleteError>> BatchDeleteMessage(
      const std::string& queue,
      const std::vector<std::string>& receipt_handles);
  StatusOr<VisibilityChange> ChangeMessageVisibility(
      const std::string& queue, const std::string& receipt_handle,
      int visibility_timeout_seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Iterates over queue names, fetching pages as needed. An error ends the
// iteration; status() tells it.
class MnsClient::QueueNames {
 public:
  QueueNames(MnsClient* client, std::string prefix, int page_size)
      : client_(client), prefix_(std::move(prefix)), page_size_(page_size) {}
  // The next name, or nullopt at the end or on an error.
  std::optional<std::string> Next();
  const Status& status() const { return status_; }

 private:
  MnsClient* client_;
  std::string prefix_;
  int page_size_;
  std::vector<std::string> page_;
  size_t index_ = 0;
  std::string marker_;
  bool last_page_ = false;
  Status status_;
};

}  // namespace mns

#endif  // MNS_CLIENT_MNS_CLIENT_H_
