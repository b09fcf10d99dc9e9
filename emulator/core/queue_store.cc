#include "emulator/core/queue_store.h"

#include <algorithm>
#include <cctype>

#include "emulator/core/errors.h"
#include "emulator/core/name_page.h"

namespace mns::emulator {

bool IsMnsName(std::string_view name) {
  if (name.empty() || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

Status QueueStore::ValidateName(const std::string& name) const {
  if (static_cast<int64_t>(name.size()) > settings_->max_queue_name_length) {
    return Status(StatusCode::kInvalidArgument,
                  "The length of queue name should not exceed " +
                      std::to_string(settings_->max_queue_name_length) + ".",
                  "QueueNameLengthError");
  }
  if (!IsMnsName(name)) {
    return Status(StatusCode::kInvalidArgument,
                  "The queue name you provided is not valid. It must start "
                  "with a letter or digit and contain only letters, digits "
                  "and hyphens.",
                  "InvalidQueueName");
  }
  return OkStatus();
}

StatusOr<CreateOutcome> QueueStore::Create(
    const std::string& name, const QueueAttributeUpdate& attributes,
    TimePoint now) {
  MNS_RETURN_IF_ERROR(ValidateName(name));
  MNS_RETURN_IF_ERROR(ValidateUpdate(attributes, *settings_));
  QueueAttributeValues effective =
      ApplyUpdate(QueueAttributeValues{}, attributes);
  auto it = queues_.find(name);
  if (it != queues_.end()) {
    if (it->second->attributes() == effective) {
      return CreateOutcome::kAlreadyExistsWithSameAttributes;
    }
    return QueueAlreadyExistError();
  }
  queues_.emplace(
      name, std::make_unique<Queue>(name, effective, now, settings_, random_));
  return CreateOutcome::kCreated;
}

Status QueueStore::SetAttributes(const std::string& name,
                                 const QueueAttributeUpdate& update,
                                 TimePoint now) {
  MNS_ASSIGN_OR_RETURN(Queue * queue, Find(name));
  MNS_RETURN_IF_ERROR(ValidateUpdate(update, *settings_));
  queue->SetAttributes(ApplyUpdate(queue->attributes(), update), now);
  return OkStatus();
}

bool QueueStore::Delete(const std::string& name) {
  return queues_.erase(name) > 0;
}

StatusOr<Queue*> QueueStore::Find(const std::string& name) {
  auto it = queues_.find(name);
  if (it == queues_.end()) return QueueNotExistError();
  return it->second.get();
}

StatusOr<QueueStorePage> QueueStore::List(const std::string& prefix,
                                          const std::string& marker,
                                          int limit) const {
  MNS_ASSIGN_OR_RETURN(auto page,
                       PageByName(queues_, prefix, marker, limit,
                                  [](const std::unique_ptr<Queue>& q) {
                                    return static_cast<const Queue*>(q.get());
                                  }));
  return QueueStorePage{.queues = std::move(page.items),
                        .next_marker = std::move(page.next_marker)};
}

}  // namespace mns::emulator
