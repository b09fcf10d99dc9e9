#include "emulator/core/queue_store.h"

#include "emulator/core/errors.h"
#include "mns/common/crypto.h"

namespace mns::emulator {

Status QueueStore::ValidateName(const std::string& name) const {
  if (static_cast<int64_t>(name.size()) > settings_->max_queue_name_length) {
    return Status(StatusCode::kInvalidArgument,
                  "The length of queue name should not exceed " +
                      std::to_string(settings_->max_queue_name_length) + ".",
                  "QueueNameLengthError");
  }
  // ^[A-Za-z0-9][A-Za-z0-9-]*$ (spec mns §7.3)
  bool valid = !name.empty() && name[0] != '-';
  for (char c : name) {
    valid = valid && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
  }
  if (!valid) {
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

// A marker is the base64 of the first name of the next page, as the cloud's
// own markers look (spec mns §3.6: NextMarker "cTE=" is base64 "q1").
StatusOr<QueueStorePage> QueueStore::List(const std::string& prefix,
                                          const std::string& marker,
                                          int limit) const {
  if (limit < 1 || limit > 1000) {
    return OutOfRangeError("x-mns-ret-number", 1, 1000, "items");
  }
  std::string start = prefix;
  if (!marker.empty()) {
    auto decoded = Base64Decode(marker);
    if (!decoded) {
      return InvalidArgumentError("The marker you provided is not valid.");
    }
    start = std::max(start, *decoded);
  }
  QueueStorePage page;
  for (auto it = queues_.lower_bound(start);
       it != queues_.end() && it->first.starts_with(prefix); ++it) {
    if (static_cast<int>(page.queues.size()) == limit) {
      page.next_marker = Base64Encode(it->first);
      break;
    }
    page.queues.push_back(it->second.get());
  }
  return page;
}

}  // namespace mns::emulator
