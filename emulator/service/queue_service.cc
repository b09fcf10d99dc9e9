#include "emulator/service/queue_service.h"

#include <algorithm>

#include "emulator/core/errors.h"

namespace mns::emulator {
namespace {

// BatchSendMessage: "the total size of the messages is at most 64 KB" (spec
// mns §3.8).
constexpr size_t kMaxBatchBytes = 65536;

Status BatchCountError(const std::string& what) {
  return InvalidArgumentError("The count of " + what +
                              " should between 1 and " +
                              std::to_string(kMaxBatchSize) + ".");
}

}  // namespace

QueueService::QueueService(Clock* clock, Random* random, QueueSettings settings)
    : clock_(clock), random_(random), settings_(settings) {
  time_jumps_ = clock_->OnTimeJump([this] { OnTimeJump(); });
}

QueueService::~QueueService() {
  Shutdown();
  time_jumps_.Reset();
}

void QueueService::AddAccount(const std::string& account_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (accounts_.count(account_id) == 0) {
    accounts_.emplace(
        account_id, std::make_unique<Account>(QueueStore(&settings_, random_)));
  }
}

StatusOr<QueueService::Account*> QueueService::FindAccount(
    const std::string& account) {
  auto it = accounts_.find(account);
  if (it == accounts_.end()) {
    return Status(StatusCode::kPermissionDenied,
                  "The OwnerId that your Access Key Id associated to is "
                  "forbidden for this operation.",
                  "AccessDenied");
  }
  return it->second.get();
}

StatusOr<AccountAttributes> QueueService::GetAccountAttributes(
    const std::string& account) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->attributes;
}

Status QueueService::SetAccountAttributes(
    const std::string& account, const AccountAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  if (update.logging_bucket)
    a->attributes.logging_bucket = *update.logging_bucket;
  if (update.trace_enabled) a->attributes.trace_enabled = update.trace_enabled;
  return OkStatus();
}

StatusOr<Queue*> QueueService::FindQueue(const std::string& account,
                                         const std::string& queue) {
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->store.Find(queue);
}

StatusOr<CreateOutcome> QueueService::CreateQueue(
    const std::string& account, const std::string& queue,
    const QueueAttributeUpdate& attributes) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->store.Create(queue, attributes, clock_->Now());
}

Status QueueService::SetQueueAttributes(const std::string& account,
                                        const std::string& queue,
                                        const QueueAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_RETURN_IF_ERROR(a->store.SetAttributes(queue, update, clock_->Now()));
  // A shorter retention or polling wait changes what the front waiter waits
  // for.
  WakeFront(account, queue);
  return OkStatus();
}

StatusOr<QueueSnapshot> QueueService::GetQueueAttributes(
    const std::string& account, const std::string& queue) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  return QueueSnapshot{.name = q->name(),
                       .attributes = q->attributes(),
                       .create_time = q->create_time(),
                       .last_modify_time = q->last_modify_time(),
                       .counts = q->Counts(clock_->Now())};
}

bool QueueService::DeleteQueue(const std::string& account,
                               const std::string& queue) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto a = FindAccount(account);
  if (!a.ok()) return false;
  bool existed = (*a)->store.Delete(queue);
  auto it = (*a)->waiters.find(queue);
  if (it != (*a)->waiters.end()) {
    for (Waiter* w : it->second) w->cv.notify_one();
  }
  return existed;
}

StatusOr<QueueListing> QueueService::ListQueues(const std::string& account,
                                                const std::string& prefix,
                                                const std::string& marker,
                                                int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_ASSIGN_OR_RETURN(QueueStorePage page,
                       a->store.List(prefix, marker, limit));
  const TimePoint now = clock_->Now();
  QueueListing listing{.next_marker = page.next_marker};
  for (const Queue* q : page.queues) {
    // Counting catches up the queue's timers, which List cannot do on const.
    Queue* mutable_queue = *a->store.Find(q->name());
    listing.queues.push_back(
        QueueSnapshot{.name = q->name(),
                      .attributes = q->attributes(),
                      .create_time = q->create_time(),
                      .last_modify_time = q->last_modify_time(),
                      .counts = mutable_queue->Counts(now)});
  }
  return listing;
}

StatusOr<SendResult> QueueService::SendMessage(const std::string& account,
                                               const std::string& queue,
                                               const SendRequest& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  auto result = q->Send(request, clock_->Now());
  if (result.ok()) WakeFront(account, queue);
  return result;
}

StatusOr<std::vector<BatchSendEntry>> QueueService::BatchSendMessage(
    const std::string& account, const std::string& queue,
    const std::vector<SendRequest>& requests) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  if (requests.empty() || requests.size() > kMaxBatchSize) {
    return BatchCountError("messages");
  }
  size_t total = 0;
  for (const auto& r : requests) total += r.body.size();
  if (total > kMaxBatchBytes) {
    return InvalidArgumentError(
        "The total size of the messages in a batch should not exceed 65536 "
        "bytes.");
  }
  const TimePoint now = clock_->Now();
  std::vector<BatchSendEntry> entries;
  for (const auto& r : requests) entries.push_back(q->Send(r, now));
  WakeFront(account, queue);
  return entries;
}

StatusOr<std::vector<MessageView>> QueueService::ReceiveMessage(
    const std::string& account, const std::string& queue, int max,
    std::optional<int64_t> wait_seconds, bool never_wait) {
  if (max < 1 || max > kMaxBatchSize) {
    return OutOfRangeError("numOfMessages", 1, kMaxBatchSize, "messages");
  }
  if (wait_seconds &&
      (*wait_seconds < 0 || *wait_seconds > kMaxPollingWaitSeconds)) {
    return OutOfRangeError("waitseconds", 0, kMaxPollingWaitSeconds, "seconds");
  }
  std::unique_lock<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  TimePoint now = clock_->Now();
  const TimePoint deadline =
      now + Duration(1000 * wait_seconds.value_or(
                                q->attributes().polling_wait_seconds));

  Waiter self;
  std::map<std::string, WaitList>* lists = nullptr;
  WaitList* list = nullptr;
  WaitList::iterator position;
  auto leave = [&] {
    if (list == nullptr) return;
    const bool was_front = list->begin() == position;
    list->erase(position);
    --parked_;
    if (list->empty()) {
      lists->erase(queue);
    } else if (was_front) {
      list->front()->Wake();
    }
    list = nullptr;
  };

  while (true) {
    auto found = FindQueue(account, queue);
    if (!found.ok()) {
      leave();
      return found.status();
    }
    q = *found;
    std::vector<MessageView> messages = q->Receive(max, now);
    if (!messages.empty()) {
      leave();
      if (self.woken && wake_observer_) {
        wake_observer_(std::chrono::steady_clock::now() - *self.woken);
      }
      // Messages may remain for the next in line (leave() woke it if we were
      // the front; otherwise the front is already awake or will be).
      return messages;
    }
    if (shutdown_ || now >= deadline) {
      leave();
      return MessageNotExistError();
    }
    if (never_wait) {
      return Status(StatusCode::kUnavailable, "the receive would wait",
                    kWouldWait);
    }
    if (list == nullptr) {
      lists = &(*FindAccount(account))->waiters;
      list = &(*lists)[queue];
      position = list->insert(list->end(), &self);
      ++parked_;
    }
    self.woken.reset();  // a wake that found nothing is not the one
    TimePoint wake_at = deadline;
    if (list->front() == &self) {
      if (auto next = q->NextActivation()) wake_at = std::min(wake_at, *next);
    }
    clock_->WaitUntil(lock, self.cv, wake_at);
    now = clock_->Now();
  }
}

StatusOr<std::vector<MessageView>> QueueService::PeekMessage(
    const std::string& account, const std::string& queue, int max) {
  if (max < 1 || max > kMaxBatchSize) {
    return OutOfRangeError("numOfMessages", 1, kMaxBatchSize, "messages");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  auto messages = q->Peek(max, clock_->Now());
  if (messages.empty()) return MessageNotExistError();
  return messages;
}

Status QueueService::DeleteMessage(const std::string& account,
                                   const std::string& queue,
                                   const std::string& receipt_handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  MNS_RETURN_IF_ERROR(q->Delete(receipt_handle, clock_->Now()));
  WakeFront(account, queue);
  return OkStatus();
}

StatusOr<std::vector<BatchDeleteFailure>> QueueService::BatchDeleteMessage(
    const std::string& account, const std::string& queue,
    const std::vector<std::string>& receipt_handles) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  if (receipt_handles.empty() || receipt_handles.size() > kMaxBatchSize) {
    return BatchCountError("receipt handles");
  }
  const TimePoint now = clock_->Now();
  std::vector<BatchDeleteFailure> failures;
  for (const auto& handle : receipt_handles) {
    Status s = q->Delete(handle, now);
    if (!s.ok()) failures.push_back({handle, std::move(s)});
  }
  WakeFront(account, queue);
  return failures;
}

StatusOr<ChangedVisibility> QueueService::ChangeMessageVisibility(
    const std::string& account, const std::string& queue,
    const std::string& receipt_handle, int64_t visibility_timeout_seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  auto result = q->ChangeVisibility(receipt_handle, visibility_timeout_seconds,
                                    clock_->Now());
  if (result.ok()) WakeFront(account, queue);
  return result;
}

Status QueueService::ReleaseMessage(const std::string& account,
                                    const std::string& queue,
                                    const std::string& receipt_handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Queue * q, FindQueue(account, queue));
  Status released = q->Release(receipt_handle, clock_->Now());
  if (released.ok()) WakeFront(account, queue);
  return released;
}

void QueueService::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, account] : accounts_) {
    account->store = QueueStore(&settings_, random_);
    account->attributes = {};
  }
  WakeAll();
}

void QueueService::Shutdown() {
  std::lock_guard<std::mutex> lock(mutex_);
  shutdown_ = true;
  WakeAll();
}

size_t QueueService::ParkedReceives() const { return parked_.load(); }

void QueueService::WakeFront(const std::string& account,
                             const std::string& queue) {
  auto a = accounts_.find(account);
  if (a == accounts_.end()) return;
  auto it = a->second->waiters.find(queue);
  if (it != a->second->waiters.end()) it->second.front()->Wake();
}

std::vector<QueueService::QueueGauge> QueueService::AllQueueCounts() {
  std::lock_guard<std::mutex> lock(mutex_);
  const TimePoint now = clock_->Now();
  std::vector<QueueGauge> gauges;
  // Not a structured binding: clang before 16 cannot capture one.
  for (auto& entry : accounts_) {
    const std::string& id = entry.first;
    entry.second->store.ForEach([&](Queue& queue) {
      gauges.push_back({id, queue.name(), queue.Counts(now)});
    });
  }
  return gauges;
}

void QueueService::WakeAll() {
  for (auto& [id, account] : accounts_) {
    for (auto& [queue, list] : account->waiters) {
      for (Waiter* w : list) w->Wake();
    }
  }
}

void QueueService::OnTimeJump() {
  std::lock_guard<std::mutex> lock(mutex_);
  WakeAll();
}

}  // namespace mns::emulator
