#include "emulator/service/topic_service.h"

#include <iostream>

#include "emulator/core/api_version.h"
#include "emulator/core/errors.h"
#include "emulator/core/notification.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

std::string SubscriptionKey(const Delivery& d) {
  return d.account + "/" + d.topic + "/" + d.subscription;
}

// A string field of a JSON attribute, numbers given as numbers too (spec
// topic §2.6.1: PHP sends some as strings, others as numbers).
std::string Field(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item(TrimAsciiWhitespace(text.substr(start, comma - start)));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::string_view DeliveryStateName(DeliveryState state) {
  switch (state) {
    case DeliveryState::kPending:
      return "pending";
    case DeliveryState::kDelivered:
      return "delivered";
    case DeliveryState::kFailed:
      return "failed";
    case DeliveryState::kDropped:
      return "dropped";
  }
  return "pending";
}

TopicService::TopicService(QueueService* queues, AlicomService* alicom,
                           Clock* clock, Random* random,
                           std::unique_ptr<Notifier> notifier,
                           TopicSettings settings)
    : queues_(queues),
      alicom_(alicom),
      clock_(clock),
      random_(random),
      notifier_(std::move(notifier)),
      settings_(std::move(settings)),
      delivery_random_(settings_.seed) {
  time_jumps_ = clock_->OnTimeJump([this] {
    std::lock_guard<std::mutex> lock(mutex_);
    retry_wake_.notify_all();
  });
  retrier_ = std::thread([this] { RetryLoop(); });
  for (int i = 0; i < std::max(1, settings_.http_workers); ++i) {
    workers_.emplace_back([this] { WorkLoop(); });
  }
}

TopicService::~TopicService() { Shutdown(); }

void TopicService::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  retry_wake_.notify_all();
  work_wake_.notify_all();
  time_jumps_.Reset();
  if (retrier_.joinable()) retrier_.join();
  for (std::thread& worker : workers_) worker.join();
}

void TopicService::AddAccount(const std::string& account,
                              const std::string& uid) {
  std::lock_guard<std::mutex> lock(mutex_);
  accounts_.try_emplace(account, std::make_unique<Account>(random_, uid));
}

void TopicService::SetCertificateUrl(std::string url) {
  // Set once the port is bound, when a request may already be in flight.
  std::lock_guard<std::mutex> lock(mutex_);
  certificate_url_ = std::move(url);
}

std::string TopicService::certificate_url() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return certificate_url_;
}

void TopicService::SetFaultHook(DeliveryFaultHook hook) {
  std::lock_guard<std::mutex> lock(mutex_);
  fault_hook_ = std::move(hook);
}

StatusOr<TopicService::Account*> TopicService::FindAccount(
    const std::string& account) {
  auto it = accounts_.find(account);
  if (it == accounts_.end()) {
    return Status(StatusCode::kPermissionDenied, "", "AccessDenied");
  }
  return it->second.get();
}

// --- topics and subscriptions -----------------------------------------------

StatusOr<CreateOutcome> TopicService::CreateTopic(
    const std::string& account, const std::string& topic,
    const TopicAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->store.Create(topic, update, clock_->Now());
}

Status TopicService::SetTopicAttributes(const std::string& account,
                                        const std::string& topic,
                                        const TopicAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->store.SetAttributes(topic, update, clock_->Now());
}

StatusOr<TopicSnapshot> TopicService::GetTopicAttributes(
    const std::string& account, const std::string& topic) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_ASSIGN_OR_RETURN(Topic * t, a->store.Find(topic));
  return TopicSnapshot{.name = t->name(),
                       .attributes = t->attributes(),
                       .create_time = t->create_time(),
                       .last_modify_time = t->last_modify_time(),
                       .message_count = t->MessageCount(clock_->Now())};
}

bool TopicService::DeleteTopic(const std::string& account,
                               const std::string& topic) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto a = FindAccount(account);
  if (!a.ok() || !(*a)->store.Delete(topic)) return false;
  DropLocked([&](const Delivery& d) {
    return d.account == account && d.topic == topic;
  });
  return true;
}

StatusOr<TopicListing> TopicService::ListTopics(const std::string& account,
                                                const std::string& prefix,
                                                const std::string& marker,
                                                int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_ASSIGN_OR_RETURN(TopicPage page, a->store.List(prefix, marker, limit));
  TopicListing listing{.next_marker = page.next_marker};
  const TimePoint now = clock_->Now();
  for (const Topic* t : page.items) {
    listing.topics.push_back({.name = t->name(),
                              .attributes = t->attributes(),
                              .create_time = t->create_time(),
                              .last_modify_time = t->last_modify_time(),
                              .message_count = t->MessageCount(now)});
  }
  return listing;
}

StatusOr<CreateOutcome> TopicService::Subscribe(
    const std::string& account, const std::string& topic,
    const std::string& subscription,
    const SubscriptionAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  // The spec resolves queue endpoints by name (topic §0 item 3, §4.1: the
  // PHP SDK writes acs:mns:0:127:...), with an optional strict account
  // check. The emulator takes the middle way issue 11 asks for: an account
  // id it does not know is read as the subscriber's own; another account
  // it does know is refused.
  if (update.endpoint) {
    auto endpoint = ParseEndpoint(*update.endpoint);
    if (endpoint.ok() && endpoint->kind == EndpointKind::kQueue &&
        endpoint->account != account && accounts_.contains(endpoint->account)) {
      return EndpointInvalidError(
          "The endpoint " + *update.endpoint +
          " is invalid: a topic delivers only to its own account's queues.");
    }
  }
  return a->store.Subscribe(topic, subscription, update, clock_->Now());
}

Status TopicService::SetSubscriptionAttributes(
    const std::string& account, const std::string& topic,
    const std::string& subscription,
    const SubscriptionAttributeUpdate& update) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  return a->store.SetSubscriptionAttributes(topic, subscription, update,
                                            clock_->Now());
}

StatusOr<Subscription> TopicService::GetSubscriptionAttributes(
    const std::string& account, const std::string& topic,
    const std::string& subscription) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_ASSIGN_OR_RETURN(const Subscription* s,
                       a->store.GetSubscription(topic, subscription));
  return *s;
}

bool TopicService::Unsubscribe(const std::string& account,
                               const std::string& topic,
                               const std::string& subscription) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto a = FindAccount(account);
  if (!a.ok() || !(*a)->store.Unsubscribe(topic, subscription)) return false;
  DropLocked([&](const Delivery& d) {
    return d.account == account && d.topic == topic &&
           d.subscription == subscription;
  });
  return true;
}

StatusOr<SubscriptionListing> TopicService::ListSubscriptions(
    const std::string& account, const std::string& topic,
    const std::string& prefix, const std::string& marker, int limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
  MNS_ASSIGN_OR_RETURN(
      SubscriptionPage page,
      a->store.ListSubscriptions(topic, prefix, marker, limit));
  SubscriptionListing listing{.next_marker = page.next_marker};
  for (const Subscription* s : page.items) listing.subscriptions.push_back(*s);
  return listing;
}

// --- publishing and delivering ----------------------------------------------

StatusOr<PublishedMessage> TopicService::Publish(
    const std::string& account, const std::string& topic,
    const PublishRequest& request) {
  std::vector<int64_t> ids;
  std::shared_ptr<const PublishedMessage> message;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    MNS_ASSIGN_OR_RETURN(Account * a, FindAccount(account));
    const TimePoint now = clock_->Now();
    MNS_ASSIGN_OR_RETURN(Publication publication,
                         a->store.Publish(topic, request, now));
    message = std::make_shared<const PublishedMessage>(
        std::move(publication.message));
    for (const Subscription& s : publication.subscribers) {
      const NotificationSource source{.topic_owner = account,
                                      .topic = topic,
                                      .subscriber = account,
                                      .subscription = s.name};
      const int64_t id = next_id_++;
      Entry entry{
          .delivery = {.id = id,
                       .account = account,
                       .topic = topic,
                       .subscription = s.name,
                       .endpoint = s.endpoint,
                       .strategy = s.attributes.notify_strategy,
                       .format = s.attributes.notify_content_format,
                       .message_id = message->message_id,
                       .publish_time = now,
                       // Mail and SMS get the raw body whatever the format
                       // (spec topic §3.1).
                       .body = s.endpoint.kind == EndpointKind::kQueue ||
                                       s.endpoint.kind == EndpointKind::kHttp
                                   ? NotificationBody(
                                         s.attributes.notify_content_format,
                                         source, *message)
                                   : message->body,
                       .in_flight = true},
          .message = message,
          .expires = publication.expires,
          .due_at = now};
      entries_.emplace(id, std::move(entry));
      ids.push_back(id);
    }
    TrimLocked();
  }
  for (int64_t id : ids) Run(id);
  return *message;
}

void TopicService::Run(int64_t id) {
  Entry copy;
  TimePoint due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end() ||
        it->second.delivery.state != DeliveryState::kPending) {
      return;
    }
    if (it->second.delivery.endpoint.kind == EndpointKind::kHttp) {
      ready_.push_back(id);
      work_wake_.notify_all();
      return;
    }
    copy = it->second;
    due = it->second.due_at;
  }
  Finish(id, due, Attempt(copy));
}

TopicService::Outcome TopicService::Attempt(const Entry& entry) {
  const Delivery& d = entry.delivery;
  DeliveryFaultHook hook;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    hook = fault_hook_;
  }
  if (hook) {
    if (auto fault =
            hook({.delivery_id = d.id,
                  .account = d.account,
                  .topic = d.topic,
                  .subscription = d.subscription,
                  .endpoint = d.endpoint.text,
                  .kind = std::string(EndpointKindName(d.endpoint.kind)),
                  .queue = d.endpoint.kind == EndpointKind::kQueue
                               ? d.endpoint.target
                               : ""})) {
      return {.result = "fault: " + fault->reason};
    }
  }
  try {
    switch (d.endpoint.kind) {
      case EndpointKind::kQueue:
        return AttemptQueue(entry);
      case EndpointKind::kHttp:
        return AttemptHttp(entry);
      case EndpointKind::kSms:
        return AttemptSms(entry);
      case EndpointKind::kMail:
        return AttemptMail(entry);
      case EndpointKind::kOther:
        return {.ok = true, .result = "recorded"};
    }
  } catch (const std::exception& e) {
    // No endpoint may end the thread that delivers everyone's messages.
    return {.retry = false,
            .result = std::string("internal error: ") + e.what()};
  }
  return {.retry = false, .result = "unknown endpoint"};
}

TopicService::Outcome TopicService::AttemptQueue(const Entry& entry) {
  const Delivery& d = entry.delivery;
  // New queue message: its own id, the queue's DelaySeconds, priority 8,
  // the published properties (spec topic §4.2).
  auto sent = queues_->SendMessage(
      d.account, d.endpoint.target,
      {.body = d.body, .properties = entry.message->properties});
  // A missing or refusing queue is a failed attempt, tried again on the
  // strategy's schedule (spec topic §4.0, §10 item 8: UNCONFIRMED).
  if (!sent.ok()) {
    return {.result = sent.status().error_code().empty()
                          ? sent.status().message()
                          : sent.status().error_code()};
  }
  return {.ok = true,
          .result = "enqueued",
          .detail = {{"queue", d.endpoint.target},
                     {"queue_message_id", sent->message_id}}};
}

// DirectSMS through the Alicom SMS center (spec topic §4.5): one send, or
// one per number of a multiContent batch. A missing attribute and business
// refusals are recorded and not retried (§4.5, §10 item 19: UNCONFIRMED).
TopicService::Outcome TopicService::AttemptSms(const Entry& entry) {
  const Delivery& d = entry.delivery;
  const auto& attributes = entry.message->attributes;
  auto direct = attributes.find("DirectSMS");
  if (direct == attributes.end()) {
    return {.retry = false, .result = "no DirectSMS attribute"};
  }
  const nlohmann::json& sms = direct->second;
  std::string uid;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto a = accounts_.find(d.account);
    if (a != accounts_.end()) uid = a->second->uid;
  }
  const bool anonymous = d.endpoint.target == "anonymous";
  std::vector<std::pair<std::string, std::string>> sends;  // phone, params
  auto params_text = [](const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>() : value.dump();
  };
  if (Field(sms, "Type") == "multiContent") {
    if (!anonymous) {
      return {.ok = true,
              .result = "ignored: multiContent is for sms:directsms:anonymous"};
    }
    auto params = nlohmann::json::parse(Field(sms, "SmsParams"), nullptr,
                                        /*allow_exceptions=*/false);
    if (!params.is_object() || params.empty()) {
      return {.retry = false,
              .result = "multiContent SmsParams is not {phone: params}"};
    }
    for (const auto& [phone, values] : params.items()) {
      sends.emplace_back(phone, params_text(values));
    }
  } else {
    std::string receivers;
    if (auto dysms = attributes.find("DYSMS"); dysms != attributes.end()) {
      receivers = Field(dysms->second, "PhoneNumber");
    }
    if (receivers.empty()) receivers = Field(sms, "Receiver");
    if (receivers.empty() && !anonymous) receivers = d.endpoint.target;
    if (receivers.empty()) {
      return {.retry = false,
              .result = "no receiver for an anonymous endpoint"};
    }
    std::string params = "{}";
    if (auto it = sms.find("SmsParams"); it != sms.end() && !it->is_null()) {
      params = params_text(*it);
    }
    for (const std::string& phone : SplitCommas(receivers)) {
      sends.emplace_back(phone, params);
    }
  }
  nlohmann::json biz_ids = nlohmann::json::array();
  for (const auto& [phone, params] : sends) {
    auto sent =
        alicom_->SendSms(uid, {.phone_numbers = {phone},
                               .sign_names = {Field(sms, "FreeSignName")},
                               .template_code = Field(sms, "TemplateCode"),
                               .template_params = {params}});
    if (!sent.ok()) {
      return {.retry = false,
              .result = sent.status().error_code().empty()
                            ? sent.status().message()
                            : sent.status().error_code(),
              .detail = {{"biz_ids", biz_ids}}};
    }
    biz_ids.push_back({{"phone_number", phone}, {"biz_id", *sent}});
  }
  return {.ok = true, .result = "sent", .detail = {{"sms", biz_ids}}};
}

// DirectMail is recorded, never sent (spec topic §4.4); without DirectMail
// (or DM) the delivery fails, not retried (§4.4: UNCONFIRMED).
TopicService::Outcome TopicService::AttemptMail(const Entry& entry) {
  const auto& attributes = entry.message->attributes;
  auto mail = attributes.find("DirectMail");
  auto dm = attributes.find("DM");
  if (mail == attributes.end() && dm == attributes.end()) {
    return {.retry = false, .result = "no DirectMail attribute"};
  }
  const nlohmann::json none = nlohmann::json::object();
  const nlohmann::json& m = mail != attributes.end() ? mail->second : none;
  const nlohmann::json& override = dm != attributes.end() ? dm->second : none;
  auto pick = [&](const char* name) {
    const std::string over = Field(override, name);
    return over.empty() ? Field(m, name) : over;
  };
  const std::string to = Field(override, "MailAddress");
  return {.ok = true,
          .result = "recorded",
          .detail = {{"mail",
                      {{"to", to.empty() ? entry.delivery.endpoint.target : to},
                       {"account_name", Field(m, "AccountName")},
                       {"subject", pick("Subject")},
                       {"address_type", Field(m, "AddressType")},
                       {"is_html", pick("IsHtml")},
                       {"reply_to_address", Field(m, "ReplyToAddress")},
                       {"body", entry.delivery.body}}}}};
}

// A signed POST (spec topic §4.3).
TopicService::Outcome TopicService::AttemptHttp(const Entry& entry) {
  const Delivery& d = entry.delivery;
  const HttpUrl& url = *d.endpoint.http;
  if (!HostAllowed(url.host)) {
    return {.retry = false,
            .result = "host not allowed: " + url.host +
                      " (topics.allowed_hosts); nothing was sent"};
  }
  // An endpoint with no URI gets /notifications (spec topic §4.3).
  const std::string target = url.target.empty() || url.target[0] == '?'
                                 ? "/notifications" + url.target
                                 : url.target;
  OutboundRequest request{.url = d.endpoint.target,
                          .origin = url.origin,
                          .target = target,
                          .body = d.body,
                          .timeout = settings_.http_timeout};
  const std::string digest = Md5(d.body);
  std::string content_md5;
  switch (d.format) {
    case NotifyContentFormat::kXml:
      request.content_type = "text/xml;charset=utf-8";
      content_md5 = Base64Encode(HexLower(digest));
      break;
    case NotifyContentFormat::kJson:
      // UNCONFIRMED (spec topic §10 item 13).
      request.content_type = "application/json;charset=utf-8";
      content_md5 = Base64Encode(HexLower(digest));
      break;
    case NotifyContentFormat::kSimplified:
      request.content_type = "text/plain;charset=utf-8";
      content_md5 = HexUpper(digest);
      break;
  }
  // The emulator's clock, as PublishTime is: receivers compare neither with
  // their own (the samples of spec topic §4.3 only sign the text).
  const std::string date = FormatHttpDate(clock_->Now());
  std::map<std::string, std::string> mns_headers = {
      {"x-mns-request-id", delivery_random_.UpperHex(24)},
      {"x-mns-version", kMnsVersion},
      {"x-mns-signing-cert-url", Base64Encode(certificate_url())}};
  if (d.format == NotifyContentFormat::kSimplified) {
    mns_headers["x-mns-message-id"] = d.message_id;
    if (!entry.message->tag.empty()) {
      mns_headers["x-mns-message-tag"] = entry.message->tag;
    }
    mns_headers["x-mns-topic-owner"] = d.account;
    mns_headers["x-mns-topic-name"] = d.topic;
    mns_headers["x-mns-subscriber"] = d.account;
    mns_headers["x-mns-subscription-name"] = d.subscription;
    mns_headers["x-mns-publish-time"] =
        std::to_string(ToUnixMillis(d.publish_time));
  }
  std::string string_to_sign =
      "POST\n" + content_md5 + "\n" + request.content_type + "\n" + date + "\n";
  for (const auto& [name, value] : mns_headers) {
    string_to_sign += name + ":" + value + "\n";
  }
  string_to_sign += target;
  auto signature = signer_.Sign(string_to_sign);
  if (!signature.ok()) {
    return {.retry = false, .result = signature.status().message()};
  }
  request.headers = {{"Date", date},
                     {"Content-md5", content_md5},
                     {"User-Agent", "Aliyun Notification Service Agent"},
                     {"Authorization", *signature}};
  for (const auto& header : mns_headers) request.headers.push_back(header);
  const OutboundResult answer = notifier_->Post(request);
  if (answer.status == 0) return {.result = "no answer: " + answer.error};
  // Any 2xx: the official samples answer 200, 201 and 204 (spec topic
  // §4.0).
  return {.ok = answer.status >= 200 && answer.status < 300,
          .http_status = answer.status,
          .result = std::to_string(answer.status)};
}

void TopicService::Finish(int64_t id, TimePoint due, const Outcome& outcome) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;  // cleared meanwhile
  Entry& entry = it->second;
  Delivery& d = entry.delivery;
  d.in_flight = false;
  const TimePoint now = clock_->Now();
  d.attempts.push_back({.number = static_cast<int>(d.attempts.size()) + 1,
                        .due = due,
                        .time = now,
                        .ok = outcome.ok,
                        .http_status = outcome.http_status,
                        .result = outcome.result});
  if (!outcome.detail.is_null()) {
    if (!d.detail.is_object()) d.detail = nlohmann::json::object();
    d.detail.update(outcome.detail);
  }
  d.next_attempt.reset();
  if (d.state != DeliveryState::kPending) return;  // dropped meanwhile
  if (outcome.ok) {
    d.state = DeliveryState::kDelivered;
    return;
  }
  const auto delay =
      outcome.retry
          ? RetryDelay(d.strategy, static_cast<int>(d.attempts.size()),
                       delivery_random_)
          : std::nullopt;
  // The next attempt is due a delay after this one was due, so that a
  // clock advance runs every attempt it passes (spec topic §4.0).
  if (delay && due + *delay < entry.expires) {
    d.next_attempt = due + *delay;
    due_.emplace(*d.next_attempt, id);
    retry_wake_.notify_all();
  } else {
    d.state = DeliveryState::kFailed;
  }
}

std::vector<int64_t> TopicService::TakeDueLocked(TimePoint now) {
  std::vector<int64_t> ids;
  while (!due_.empty() && due_.begin()->first <= now) {
    const auto [due, id] = *due_.begin();
    due_.erase(due_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    it->second.due_at = due;
    it->second.delivery.next_attempt.reset();
    it->second.delivery.in_flight = true;
    ids.push_back(id);
  }
  return ids;
}

void TopicService::DeliverDue() {
  // Held across taking and running, so that whichever thread delivers, a
  // caller returns only once what was due is done.
  std::lock_guard<std::mutex> delivering(deliver_mutex_);
  // Runs until nothing more is due: a retry of a queue delivery that fails
  // again may be due before now as well.
  while (true) {
    std::vector<int64_t> ids;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ids = TakeDueLocked(clock_->Now());
    }
    if (ids.empty()) return;
    for (int64_t id : ids) Run(id);
  }
}

void TopicService::RetryLoop() {
  while (true) {
    try {
      DeliverDue();
    } catch (const std::exception& e) {
      std::cerr << "mns-emulator: topic retries failed: " << e.what()
                << std::endl;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return;
    const TimePoint now = clock_->Now();
    const TimePoint next = due_.empty()
                               ? SaturatingAdd(now, std::chrono::hours(1))
                               : due_.begin()->first;
    if (next <= now) continue;
    clock_->WaitUntil(lock, retry_wake_, next);
  }
}

void TopicService::WorkLoop() {
  while (true) {
    int64_t id = 0;
    Entry copy;
    TimePoint due;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      auto next = ready_.end();
      work_wake_.wait(lock, [&] {
        if (stopping_) return true;
        for (next = ready_.begin(); next != ready_.end(); ++next) {
          auto it = entries_.find(*next);
          if (it == entries_.end() ||
              !busy_.contains(SubscriptionKey(it->second.delivery))) {
            return true;
          }
        }
        return false;
      });
      if (stopping_) return;
      id = *next;
      ready_.erase(next);
      auto it = entries_.find(id);
      if (it == entries_.end() ||
          it->second.delivery.state != DeliveryState::kPending) {
        continue;
      }
      busy_.insert(SubscriptionKey(it->second.delivery));
      copy = it->second;
      due = it->second.due_at;
    }
    Outcome outcome = Attempt(copy);
    Finish(id, due, outcome);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_.erase(SubscriptionKey(copy.delivery));
    }
    work_wake_.notify_all();
  }
}

bool TopicService::HostAllowed(const std::string& url_host) const {
  const std::string host = AsciiLower(url_host);
  if (IsLoopbackHost(host)) return true;
  for (const std::string& pattern : settings_.allowed_hosts) {
    if (GlobMatches(AsciiLower(pattern), host)) return true;
  }
  return false;
}

void TopicService::DropLocked(
    const std::function<bool(const Delivery&)>& which) {
  for (auto& [id, entry] : entries_) {
    Delivery& d = entry.delivery;
    if (d.state != DeliveryState::kPending || !which(d)) continue;
    d.state = DeliveryState::kDropped;
    if (d.next_attempt) due_.erase({*d.next_attempt, id});
    d.next_attempt.reset();
  }
}

void TopicService::TrimLocked() {
  auto oldest_settled = [&] {
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.delivery.state != DeliveryState::kPending) return it;
    }
    return entries_.end();
  };
  while (entries_.size() > std::max<size_t>(settings_.max_deliveries, 1)) {
    auto victim = oldest_settled();
    if (victim == entries_.end()) victim = entries_.begin();
    if (victim->second.delivery.next_attempt) {
      due_.erase({*victim->second.delivery.next_attempt, victim->first});
    }
    entries_.erase(victim);
  }
}

std::vector<Delivery> TopicService::Deliveries(
    const DeliveryFilter& filter) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<Delivery> out;
  for (auto it = entries_.rbegin();
       it != entries_.rend() && out.size() < filter.limit; ++it) {
    const Delivery& d = it->second.delivery;
    if ((!filter.topic.empty() && d.topic != filter.topic) ||
        (!filter.subscription.empty() &&
         d.subscription != filter.subscription) ||
        (filter.state && d.state != *filter.state) ||
        (!filter.kind.empty() &&
         EndpointKindName(d.endpoint.kind) != filter.kind)) {
      continue;
    }
    out.push_back(d);
  }
  std::reverse(out.begin(), out.end());  // oldest first
  return out;
}

void TopicService::ClearDeliveries() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
  due_.clear();
  ready_.clear();
}

size_t TopicService::PendingDeliveries() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t pending = 0;
  for (const auto& [id, entry] : entries_) {
    pending += entry.delivery.state == DeliveryState::kPending;
  }
  return pending;
}

void TopicService::Reset() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& [id, account] : accounts_) {
    account = std::make_unique<Account>(random_, account->uid);
  }
  entries_.clear();
  due_.clear();
  ready_.clear();
}

}  // namespace mns::emulator
