#include "emulator/core/queue.h"

#include <charconv>
#include <cstdio>
#include <cstring>

#include "emulator/core/errors.h"
#include "mns/common/crypto.h"

namespace mns::emulator {
namespace {

Duration Seconds(int64_t s) { return Duration(s * 1000); }

std::string Hex(uint64_t v) {
  char buf[17];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, 16);
  return std::string(buf, end);
}

bool ParseHex(std::string_view text, uint64_t& out) {
  if (text.empty() || text.size() > 16) return false;
  auto [end, ec] =
      std::from_chars(text.data(), text.data() + text.size(), out, 16);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Queue::Queue(std::string name, QueueAttributeValues attributes, TimePoint now,
             const QueueSettings* settings, Random* random)
    : name_(std::move(name)),
      attributes_(attributes),
      create_time_(now),
      last_modify_time_(now),
      settings_(settings),
      random_(random) {}

void Queue::SetAttributes(const QueueAttributeValues& attributes,
                          TimePoint now) {
  attributes_ = attributes;
  last_modify_time_ = now;
}

Status Queue::ValidateSend(const SendRequest& request) const {
  if (request.body.empty()) {
    return InvalidArgumentError(
        "The XML you provided did not validate against our published schema, "
        "cause by MessageBody is empty.");
  }
  if (static_cast<int64_t>(request.body.size()) >
      attributes_.maximum_message_size) {
    return InvalidArgumentError(
        "The length of MessageBody should not exceed the queue's "
        "MaximumMessageSize of " +
        std::to_string(attributes_.maximum_message_size) + " bytes.");
  }
  MNS_RETURN_IF_ERROR(ValidateMessageProperties(request.properties));
  if (static_cast<int64_t>(request.body.size() + request.properties.bytes()) >
      attributes_.maximum_message_size) {
    return InvalidArgumentError(
        "The length of MessageBody and its properties should not exceed the "
        "queue's MaximumMessageSize of " +
        std::to_string(attributes_.maximum_message_size) + " bytes.");
  }
  if (request.delay_seconds && (*request.delay_seconds < 0 ||
                                *request.delay_seconds > kMaxDelaySeconds)) {
    return OutOfRangeError("DelaySeconds", 0, kMaxDelaySeconds, "seconds");
  }
  if (request.priority) {
    bool zero_ok =
        *request.priority == 0 && settings_->priority_zero_is_default;
    if (!zero_ok && (*request.priority < 1 || *request.priority > 16)) {
      return InvalidArgumentError(
          "The value of Priority should between 1 and 16.");
    }
  }
  return OkStatus();
}

StatusOr<SendResult> Queue::Send(const SendRequest& request, TimePoint now) {
  MNS_RETURN_IF_ERROR(ValidateSend(request));
  Catch(now);
  const uint64_t seq = next_seq_++;
  Message message{
      .id = {random_->Next(), random_->Next()},
      .body_md5 = {},
      .body = request.body,
      .properties =
          request.properties.empty()
              ? nullptr
              : std::make_shared<const MessageProperties>(request.properties),
      .priority = static_cast<int>(request.priority.value_or(0) == 0
                                       ? kDefaultPriority
                                       : *request.priority),
      .state = State::kActive,
      .enqueue_time = now,
      .next_visible_time = now,
  };
  std::string md5 = Md5(request.body);
  std::memcpy(message.body_md5.data(), md5.data(), message.body_md5.size());
  const int64_t delay =
      request.delay_seconds.value_or(attributes_.delay_seconds);

  auto [it, inserted] = messages_.emplace(seq, std::move(message));
  SendResult result{.message_id = View(it->second).message_id,
                    .body_md5 = HexUpper(md5)};
  if (delay > 0) {
    it->second.state = State::kDelayed;
    it->second.handle_token = random_->Next();
    ++delayed_count_;
    MakePending(seq, it->second, now + Seconds(delay));
    result.receipt_handle = Handle(seq, it->second);
  } else {
    MakeActive(seq, it->second);
  }
  return result;
}

std::vector<MessageView> Queue::Receive(int max, TimePoint now) {
  Catch(now);
  std::vector<MessageView> out;
  while (static_cast<int>(out.size()) < max && !active_.empty()) {
    const uint64_t seq = std::get<2>(*active_.begin());
    active_.erase(active_.begin());
    Message& message = messages_.at(seq);
    message.state = State::kInactive;
    ++message.dequeue_count;
    if (message.dequeue_count == 1) message.first_dequeue_time = now;
    ++message.epoch;
    message.generation = 0;
    message.handle_token = random_->Next();
    MakePending(seq, message, now + Seconds(attributes_.visibility_timeout));
    out.push_back(View(message));
    out.back().receipt_handle = Handle(seq, message);
  }
  return out;
}

std::vector<MessageView> Queue::Peek(int max, TimePoint now) {
  Catch(now);
  std::vector<MessageView> out;
  for (auto it = active_.begin();
       it != active_.end() && static_cast<int>(out.size()) < max; ++it) {
    out.push_back(View(messages_.at(std::get<2>(*it))));
  }
  if (settings_->peek_includes_inactive) {
    for (auto it = pending_.begin();
         it != pending_.end() && static_cast<int>(out.size()) < max; ++it) {
      const Message& message = messages_.at(it->second);
      if (message.state == State::kInactive) out.push_back(View(message));
    }
  }
  return out;
}

Status Queue::Delete(const std::string& receipt_handle, TimePoint now) {
  MNS_ASSIGN_OR_RETURN(auto it, Resolve(receipt_handle, now));
  Erase(it);
  return OkStatus();
}

StatusOr<ChangedVisibility> Queue::ChangeVisibility(
    const std::string& receipt_handle, int64_t visibility_timeout_seconds,
    TimePoint now) {
  if (visibility_timeout_seconds < kMinVisibilityTimeout ||
      visibility_timeout_seconds > kMaxVisibilityTimeout) {
    return OutOfRangeError("VisibilityTimeout", kMinVisibilityTimeout,
                           kMaxVisibilityTimeout, "seconds");
  }
  MNS_ASSIGN_OR_RETURN(auto it, Resolve(receipt_handle, now));
  Message& message = it->second;
  pending_.erase({message.next_visible_time, it->first});
  ++message.generation;
  MakePending(it->first, message, now + Seconds(visibility_timeout_seconds));
  return ChangedVisibility{
      .receipt_handle = Handle(it->first, message),
      .next_visible_time = ToUnixMillis(message.next_visible_time)};
}

Status Queue::Release(const std::string& receipt_handle, TimePoint now) {
  MNS_ASSIGN_OR_RETURN(auto it, Resolve(receipt_handle, now));
  Message& message = it->second;
  pending_.erase({message.next_visible_time, it->first});
  ++message.generation;
  MakePending(it->first, message, now);
  return OkStatus();
}

QueueCounts Queue::Counts(TimePoint now) {
  Catch(now);
  const auto pending = static_cast<int64_t>(pending_.size());
  return QueueCounts{.active = static_cast<int64_t>(active_.size()),
                     .inactive = pending - delayed_count_,
                     .delayed = delayed_count_};
}

bool Queue::HasActive(TimePoint now) {
  Catch(now);
  return !active_.empty();
}

std::optional<TimePoint> Queue::NextActivation() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->first;
}

void Queue::Catch(TimePoint now) {
  const Duration retention = Seconds(attributes_.message_retention_period);
  while (!messages_.empty() &&
         messages_.begin()->second.enqueue_time + retention <= now) {
    Erase(messages_.begin());
  }
  while (!pending_.empty() && pending_.begin()->first <= now) {
    const uint64_t seq = pending_.begin()->second;
    pending_.erase(pending_.begin());
    Message& message = messages_.at(seq);
    if (message.state == State::kDelayed) --delayed_count_;
    MakeActive(seq, message);
  }
}

void Queue::MakeActive(uint64_t seq, Message& message) {
  message.state = State::kActive;
  message.active_order = next_active_order_++;
  active_.emplace(message.priority, message.active_order, seq);
}

void Queue::MakePending(uint64_t seq, Message& message, TimePoint visible_at) {
  message.next_visible_time = visible_at;
  pending_.emplace(visible_at, seq);
}

void Queue::Erase(std::map<uint64_t, Message>::iterator it) {
  Message& message = it->second;
  if (message.state == State::kActive) {
    active_.erase({message.priority, message.active_order, it->first});
  } else {
    pending_.erase({message.next_visible_time, it->first});
    if (message.state == State::kDelayed) --delayed_count_;
  }
  messages_.erase(it);
}

MessageView Queue::View(const Message& message) const {
  std::string id(reinterpret_cast<const char*>(message.id.data()),
                 sizeof(message.id));
  std::string md5(reinterpret_cast<const char*>(message.body_md5.data()),
                  message.body_md5.size());
  const bool dequeued = message.dequeue_count > 0;
  return MessageView{
      .message_id = HexUpper(id),
      .body = message.body,
      .body_md5 = HexUpper(md5),
      .receipt_handle = {},
      .enqueue_time = ToUnixMillis(message.enqueue_time),
      .first_dequeue_time =
          dequeued ? ToUnixMillis(message.first_dequeue_time) : 0,
      .next_visible_time = ToUnixMillis(message.next_visible_time),
      .dequeue_count = message.dequeue_count,
      .priority = message.priority,
      .properties = message.properties,
  };
}

// A handle is "<token>-<seq>-<epoch>-<generation>" in hex: only
// [0-9A-Fa-f-], so every SDK can put it in a query string unencoded (spec mns
// §5).
std::string Queue::Handle(uint64_t seq, const Message& message) const {
  char token[17];
  std::snprintf(token, sizeof(token), "%016llX",
                static_cast<unsigned long long>(message.handle_token));
  return std::string(token) + "-" + Hex(seq) + "-" + Hex(message.epoch) + "-" +
         Hex(message.generation);
}

StatusOr<std::map<uint64_t, Queue::Message>::iterator> Queue::Resolve(
    const std::string& receipt_handle, TimePoint now) {
  std::vector<std::string_view> parts;
  std::string_view rest = receipt_handle;
  while (parts.size() < 5) {
    size_t dash = rest.find('-');
    parts.push_back(rest.substr(0, dash));
    if (dash == std::string_view::npos) break;
    rest.remove_prefix(dash + 1);
  }
  uint64_t token = 0, seq = 0, epoch = 0, generation = 0;
  if (parts.size() != 4 || parts[0].size() != 16 ||
      !ParseHex(parts[0], token) || !ParseHex(parts[1], seq) ||
      !ParseHex(parts[2], epoch) || !ParseHex(parts[3], generation)) {
    return ReceiptHandleError();
  }
  Catch(now);
  auto it = messages_.find(seq);
  if (it == messages_.end()) return MessageNotExistError();
  const Message& message = it->second;
  if (epoch != message.epoch) return MessageNotExistError();  // stale
  if (token != message.handle_token) return ReceiptHandleError();
  const bool live_generation = settings_->strict_receipt_handles
                                   ? generation == message.generation
                                   : generation <= message.generation;
  // Past its NextVisibleTime the message is Active and the handle dead.
  if (message.state == State::kActive || !live_generation) {
    return MessageNotExistError();
  }
  return it;
}

}  // namespace mns::emulator
