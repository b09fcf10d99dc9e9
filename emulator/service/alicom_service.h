// AlicomService: the Alicom side of the emulator (spec alicom §1, §3, §5,
// §6): sending SMS, delivering their receipts into the per-account Alicom
// queues on the emulator's clock, issuing temporary tokens for those queues,
// and injecting user replies.
//
// Receipts are delivered by one thread that sleeps on the Clock until the
// next receipt is due, and by DeliverDue(), which a clock advance and
// QuerySendDetails call first, so that what a caller sees after advancing
// the clock never depends on that thread's timing. The Alicom
// queues live in their own MNS account (1943695596114318 by default, as the
// real endpoints), created in `queues` at start. Thread-safe.
#ifndef MNS_EMULATOR_SERVICE_ALICOM_SERVICE_H_
#define MNS_EMULATOR_SERVICE_ALICOM_SERVICE_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/core/sms.h"
#include "emulator/service/credentials.h"
#include "emulator/service/queue_service.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

struct AlicomSettings {
  std::string mns_account_id = "1943695596114318";
  // No source states the real lifetime (spec alicom §3). The Node.js SDK
  // assumes 10 minutes and the Java one refreshes 2 minutes before
  // ExpireTime, so any lifetime over 10 minutes serves every consumer; an
  // hour is the STS default. Tests shorten it or advance the clock.
  Duration token_lifetime = std::chrono::minutes(60);
  SmsSettings sms;
};

// QueryTokenForMnsQueue's MessageTokenDTO (spec alicom §3).
struct IssuedToken {
  std::string access_key_id;
  std::string access_key_secret;
  std::string security_token;
  TimePoint create_time;
  TimePoint expire_time;
  std::string queue_name;
};

struct SmsUpInjection {
  std::string account;  // uid; empty: the first account
  std::string phone_number;
  std::string content;
  std::string sign_name;  // empty: that of the latest send to the number
  std::string dest_code;  // empty: that send's SmsUpExtendCode
};

class AlicomService {
 public:
  AlicomService(QueueService* queues, CredentialStore* credentials,
                Clock* clock, Random* random, AlicomSettings settings);
  ~AlicomService();

  AlicomService(const AlicomService&) = delete;
  AlicomService& operator=(const AlicomService&) = delete;

  const AlicomSettings& settings() const { return settings_; }

  // Creates Alicom-Queue-<uid>-SmsReport and -SmsUp.
  void AddAccount(const std::string& uid);
  static std::string QueueName(const std::string& uid,
                               const std::string& message_type);

  StatusOr<std::string> SendSms(const std::string& uid,
                                const SmsSubmission& request);
  StatusOr<SmsRecordPage> QuerySendDetails(const SendDetailsQuery& query);
  StatusOr<IssuedToken> QueryTokenForMnsQueue(const std::string& uid,
                                              const std::string& message_type,
                                              const std::string& queue_name);
  // Enqueues an SmsUp message; returns the queue it went to.
  StatusOr<std::string> InjectSmsUp(const SmsUpInjection& reply);

  std::vector<SmsRecord> Outbox(const OutboxFilter& filter);
  void ClearOutbox();
  std::vector<OutcomeRule> Rules();
  void SetRules(std::vector<OutcomeRule> rules);

  struct ReceiptCounts {
    uint64_t scheduled = 0;  // since start, for a queue
    uint64_t delivered = 0;  // since start, into their queues
    size_t pending = 0;      // due later
  };
  ReceiptCounts Receipts();

  // Delivers every receipt due by now, in due order, and settles its
  // record; returns once they are in their queues.
  void DeliverDue();

  // Recreates the Alicom queues after QueueService::Reset() and clears the
  // outbox.
  void Reset();
  void Shutdown();

 private:
  void DeliverLoop();
  void Enqueue(const std::string& uid, const std::string& message_type,
               const std::string& json);

  QueueService* queues_;
  CredentialStore* credentials_;
  Clock* clock_;
  Random* random_;
  const AlicomSettings settings_;

  // Held across taking due receipts and enqueueing them, so that receipts
  // reach their queues in due order whichever thread delivers them. Taken
  // before mutex_, never after.
  std::mutex deliver_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_;
  SmsCenter sms_;
  std::vector<std::string> uids_;
  bool stopping_ = false;
  Clock::Subscription time_jumps_;
  std::thread deliverer_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_ALICOM_SERVICE_H_
