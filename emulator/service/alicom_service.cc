#include "emulator/service/alicom_service.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "emulator/core/errors.h"
#include "emulator/core/json_text.h"
#include "mns/common/crypto.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

std::string RandomAlnum(Random& random, size_t length) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (size_t i = 0; i < length; ++i) {
    out.push_back(kChars[random.Uniform(0, sizeof(kChars) - 2)]);
  }
  return out;
}

}  // namespace

AlicomService::AlicomService(QueueService* queues, CredentialStore* credentials,
                             Clock* clock, Random* random,
                             AlicomSettings settings)
    : queues_(queues),
      credentials_(credentials),
      clock_(clock),
      random_(random),
      settings_(std::move(settings)),
      sms_(settings_.sms, random) {
  queues_->AddAccount(settings_.mns_account_id);
  time_jumps_ = clock_->OnTimeJump([this] {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_.notify_all();
  });
  deliverer_ = std::thread([this] { DeliverLoop(); });
}

AlicomService::~AlicomService() {
  Shutdown();
  time_jumps_.Reset();
}

void AlicomService::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
  }
  if (deliverer_.joinable()) deliverer_.join();
}

std::string AlicomService::QueueName(const std::string& uid,
                                     const std::string& message_type) {
  return "Alicom-Queue-" + uid + "-" + message_type;
}

void AlicomService::AddAccount(const std::string& uid) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    uids_.push_back(uid);
  }
  for (const char* type : {"SmsReport", "SmsUp"}) {
    (void)queues_->CreateQueue(settings_.mns_account_id, QueueName(uid, type),
                               {});
  }
}

void AlicomService::Reset() {
  std::vector<std::string> uids;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    sms_.ClearOutbox();
    uids.swap(uids_);
  }
  for (const std::string& uid : uids) AddAccount(uid);
}

StatusOr<std::string> AlicomService::SendSms(const std::string& uid,
                                             const SmsSubmission& request) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto biz_id = sms_.Send(uid, request, clock_->Now());
  if (biz_id.ok()) wake_.notify_all();  // its receipt may be the next due
  return biz_id;
}

StatusOr<SmsRecordPage> AlicomService::QuerySendDetails(
    const SendDetailsQuery& query) {
  DeliverDue();  // a record whose receipt is due is settled
  std::lock_guard<std::mutex> lock(mutex_);
  return sms_.QuerySendDetails(query, clock_->Now());
}

StatusOr<IssuedToken> AlicomService::QueryTokenForMnsQueue(
    const std::string& uid, const std::string& message_type,
    const std::string& queue_name) {
  const std::string expected = QueueName(uid, message_type);
  if (!queue_name.empty() && queue_name != expected) {
    return SmsBusinessError("isv.INVALID_PARAMETERS");
  }
  // Any Alicom message type has a queue of this form (spec alicom §5.4).
  (void)queues_->CreateQueue(settings_.mns_account_id, expected, {});
  const TimePoint now = clock_->Now();
  IssuedToken token{
      .access_key_id = "STS." + RandomAlnum(*random_, 24),
      .access_key_secret = RandomAlnum(*random_, 44),
      .security_token = "CAIS" + RandomAlnum(*random_, 300),
      .create_time = now,
      .expire_time = now + settings_.token_lifetime,
      .queue_name = expected,
  };
  credentials_->AddTemporary(
      Principal{.account_id = settings_.mns_account_id,
                .access_key_id = token.access_key_id,
                .access_key_secret = token.access_key_secret,
                .security_token = token.security_token,
                .expire_time = token.expire_time,
                .resource_scope = "queues/" + expected},
      now);
  return token;
}

StatusOr<std::string> AlicomService::InjectSmsUp(const SmsUpInjection& reply) {
  std::string uid = reply.account;
  nlohmann::json body;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (uid.empty() && !uids_.empty()) uid = uids_.front();
    if (std::find(uids_.begin(), uids_.end(), uid) == uids_.end()) {
      return Status(StatusCode::kNotFound, "no account with uid " + uid);
    }
    auto latest = sms_.LatestTo(uid, reply.phone_number);
    // Field names and types exactly as spec alicom §5.3: sequence_id is a
    // number.
    body = {
        {"phone_number", latest ? latest->phone_number : reply.phone_number},
        {"send_time", FormatBeijingTime(clock_->Now())},
        {"content", reply.content},
        {"sign_name", !reply.sign_name.empty() ? reply.sign_name
                      : latest                 ? latest->sign_name
                                               : ""},
        {"dest_code", !reply.dest_code.empty() ? reply.dest_code
                      : latest                 ? latest->up_extend_code
                                               : ""},
        {"sequence_id", random_->Uniform(1, 9'999'999'999)},
    };
  }
  Enqueue(uid, "SmsUp", JsonText(body));
  return QueueName(uid, "SmsUp");
}

std::vector<SmsRecord> AlicomService::Outbox(const OutboxFilter& filter) {
  std::lock_guard<std::mutex> lock(mutex_);
  return sms_.Outbox(filter);
}

void AlicomService::ClearOutbox() {
  std::lock_guard<std::mutex> lock(mutex_);
  sms_.ClearOutbox();
}

std::vector<OutcomeRule> AlicomService::Rules() {
  std::lock_guard<std::mutex> lock(mutex_);
  return sms_.rules();
}

void AlicomService::SetRules(std::vector<OutcomeRule> rules) {
  std::lock_guard<std::mutex> lock(mutex_);
  sms_.SetRules(std::move(rules));
}

// Bodies are base64 of UTF-8 JSON, as every official consumer decodes them
// (spec alicom §5.1); MessageBodyMD5 is then that of the base64 text.
void AlicomService::Enqueue(const std::string& uid,
                            const std::string& message_type,
                            const std::string& json) {
  const std::string queue = QueueName(uid, message_type);
  auto sent = queues_->SendMessage(settings_.mns_account_id, queue,
                                   {.body = Base64Encode(json)});
  // The cloud drops receipts for a queue that is gone, too; say so, since
  // here it is usually a test that deleted the queue by mistake.
  if (!sent.ok()) {
    std::cerr << "mns-emulator: " << message_type << " for " << queue
              << " dropped: " << sent.status().message() << std::endl;
  }
}

AlicomService::ReceiptCounts AlicomService::Receipts() {
  std::lock_guard<std::mutex> lock(mutex_);
  return {.scheduled = sms_.reports_scheduled(),
          .delivered = sms_.reports_delivered(),
          .pending = sms_.reports_pending()};
}

void AlicomService::DeliverDue() {
  std::lock_guard<std::mutex> delivering(deliver_mutex_);
  std::vector<DueReport> due;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    due = sms_.TakeDue(clock_->Now());
  }
  for (const DueReport& report : due) {
    try {
      Enqueue(report.account, "SmsReport", report.json);
    } catch (const std::exception& e) {
      std::cerr << "mns-emulator: a receipt for " << report.account
                << " failed: " << e.what() << std::endl;
    }
  }
}

void AlicomService::DeliverLoop() {
  while (true) {
    // No exception may end the thread that delivers every receipt.
    try {
      DeliverDue();
    } catch (const std::exception& e) {
      std::cerr << "mns-emulator: delivering due receipts failed: " << e.what()
                << std::endl;
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return;
    // A send or a time jump since DeliverDue() either shows in NextDue() or
    // notifies wake_ after this lock is taken: neither is missed.
    const TimePoint idle = SaturatingAdd(clock_->Now(), std::chrono::hours(1));
    const TimePoint next = sms_.NextDue().value_or(idle);
    if (next <= clock_->Now()) continue;
    clock_->WaitUntil(lock, wake_, next);
  }
}

}  // namespace mns::emulator
