// TopicService: MNS topics with their deliveries (spec topic §2-§4). It owns
// every account's TopicStore behind one mutex, and carries out what a
// publish fans out to:
//   - queue endpoints: the notification is enqueued before Publish()
//     returns, so nothing is lost once the publish is acknowledged;
//   - SMS endpoints (DirectSMS): a SendSms through the AlicomService, with
//     its outbox entry, outcome rules and receipts;
//   - mail endpoints (DirectMail) and the legacy kinds: recorded only;
//   - HTTP endpoints: POSTed by a bounded set of worker threads, signed,
//     with a timeout, one attempt at a time per subscription, so a slow or
//     dead endpoint holds one worker and no request thread.
// A failed queue or HTTP delivery is tried again on the NotifyStrategy's
// schedule on the emulator's clock; each retry is due a delay after the
// previous one was due, so advancing the clock a day runs a day of retries.
// Every delivery and attempt is kept in a bounded log
// (GET /_emulator/notifications). Thread-safe.
#ifndef MNS_EMULATOR_SERVICE_TOPIC_SERVICE_H_
#define MNS_EMULATOR_SERVICE_TOPIC_SERVICE_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "emulator/core/topic.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/notification_signer.h"
#include "emulator/service/notifier.h"
#include "emulator/service/queue_service.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

struct TopicSettings {
  // An HTTP endpoint that has not answered within this fails the attempt
  // (spec topic §4.0: 5 s).
  Duration http_timeout = std::chrono::seconds(5);
  int http_workers = 4;
  // Hosts an HTTP endpoint may name besides loopback (127.0.0.0/8, ::1,
  // localhost), as globs. Any other is recorded as failed without
  // connecting (spec topic §4.3 "Safety"): the SDKs' own tests subscribe
  // https://www.baidu.com/.
  std::vector<std::string> allowed_hosts;
  // Verify an HTTPS endpoint's certificate.
  bool verify_https = false;
  // Deliveries kept in the log; the oldest settled ones go first.
  size_t max_deliveries = 10000;
  // Seeds the pushes' request ids and the retry jitter (a stream apart
  // from message ids, so that deliveries leave a seeded run's ids alone).
  std::optional<uint64_t> seed;
};

enum class DeliveryState { kPending, kDelivered, kFailed, kDropped };
std::string_view DeliveryStateName(DeliveryState state);

struct DeliveryAttempt {
  int number = 0;
  TimePoint due;   // when it was scheduled (emulator clock)
  TimePoint time;  // when it was made
  bool ok = false;
  int http_status = 0;  // HTTP endpoints that answered
  std::string result;   // "201", "QueueNotExist", "connection refused", …
};

struct Delivery {
  int64_t id = 0;
  std::string account;
  std::string topic;
  std::string subscription;
  Endpoint endpoint;
  NotifyStrategy strategy = NotifyStrategy::kBackoffRetry;
  NotifyContentFormat format = NotifyContentFormat::kXml;
  std::string message_id;
  TimePoint publish_time;
  std::string body;  // what is delivered
  DeliveryState state = DeliveryState::kPending;
  std::vector<DeliveryAttempt> attempts;
  // A retry scheduled on the clock.
  std::optional<TimePoint> next_attempt;
  // An attempt is queued for a worker or being made.
  bool in_flight = false;
  // Mail: the mail recorded; SMS: the sends made.
  nlohmann::json detail;
};

struct DeliveryFilter {
  std::string topic;
  std::string subscription;
  std::optional<DeliveryState> state;
  std::string kind;  // "queue", "http", "mail", "sms", "other"
  size_t limit = 1000;
};

// What a fault rule sees of a delivery attempt, and what it decides: the
// attempt fails, with a reason, as if the endpoint had failed.
struct DeliveryFacts {
  int64_t delivery_id = 0;
  std::string account;
  std::string topic;
  std::string subscription;
  std::string endpoint;
  std::string kind;
  std::string queue;  // queue endpoints: the queue's name
};
struct DeliveryFault {
  std::string reason;  // why the attempt fails
};
using DeliveryFaultHook =
    std::function<std::optional<DeliveryFault>(const DeliveryFacts&)>;

struct TopicSnapshot {
  std::string name;
  TopicAttributeValues attributes;
  TimePoint create_time;
  TimePoint last_modify_time;
  int64_t message_count = 0;
};
struct TopicListing {
  std::vector<TopicSnapshot> topics;
  std::string next_marker;
};
struct SubscriptionListing {
  std::vector<Subscription> subscriptions;
  std::string next_marker;
};

class TopicService {
 public:
  // `random` makes message ids; `notifier` carries HTTP notifications. All
  // pointers must outlive the service.
  TopicService(QueueService* queues, AlicomService* alicom, Clock* clock,
               Random* random, std::unique_ptr<Notifier> notifier,
               TopicSettings settings);
  ~TopicService();

  TopicService(const TopicService&) = delete;
  TopicService& operator=(const TopicService&) = delete;

  // `uid` is the account's Alicom uid, which its SMS endpoints send as.
  void AddAccount(const std::string& account, const std::string& uid);
  // Where receivers fetch the signing certificate; set once the emulator's
  // address is known.
  void SetCertificateUrl(std::string url);
  NotificationSigner& signer() { return signer_; }
  void SetFaultHook(DeliveryFaultHook hook);

  StatusOr<CreateOutcome> CreateTopic(const std::string& account,
                                      const std::string& topic,
                                      const TopicAttributeUpdate& update);
  Status SetTopicAttributes(const std::string& account,
                            const std::string& topic,
                            const TopicAttributeUpdate& update);
  StatusOr<TopicSnapshot> GetTopicAttributes(const std::string& account,
                                             const std::string& topic);
  // Returns whether it existed. Its pending deliveries are dropped.
  bool DeleteTopic(const std::string& account, const std::string& topic);
  StatusOr<TopicListing> ListTopics(const std::string& account,
                                    const std::string& prefix,
                                    const std::string& marker, int limit);

  // A queue endpoint naming another account of this emulator is
  // EndpointInvalid; an account id the emulator does not know (the PHP SDK
  // puts the host's first label there) is read as the subscriber's own.
  StatusOr<CreateOutcome> Subscribe(const std::string& account,
                                    const std::string& topic,
                                    const std::string& subscription,
                                    const SubscriptionAttributeUpdate& update);
  Status SetSubscriptionAttributes(const std::string& account,
                                   const std::string& topic,
                                   const std::string& subscription,
                                   const SubscriptionAttributeUpdate& update);
  StatusOr<Subscription> GetSubscriptionAttributes(
      const std::string& account, const std::string& topic,
      const std::string& subscription);
  // Pending deliveries of the subscription are dropped.
  bool Unsubscribe(const std::string& account, const std::string& topic,
                   const std::string& subscription);
  StatusOr<SubscriptionListing> ListSubscriptions(const std::string& account,
                                                  const std::string& topic,
                                                  const std::string& prefix,
                                                  const std::string& marker,
                                                  int limit);

  // Validates, records and fans out; queue, SMS and mail deliveries are
  // made before it returns, HTTP ones are handed to the workers.
  StatusOr<PublishedMessage> Publish(const std::string& account,
                                     const std::string& topic,
                                     const PublishRequest& request);

  // Makes every queue, SMS and mail delivery due by now (a clock advance
  // calls it, so that what it made due is in its queue when it answers).
  // HTTP deliveries that are due go to the workers.
  void DeliverDue();

  std::vector<Delivery> Deliveries(const DeliveryFilter& filter) const;
  void ClearDeliveries();
  // Deliveries not yet settled (pending), for tests and benchmarks.
  size_t PendingDeliveries() const;

  // Drops every topic and delivery; accounts stay.
  void Reset();
  // Ends the workers and the retry thread; attempts in flight finish.
  void Shutdown();

 private:
  struct Account {
    explicit Account(Random* random, std::string uid)
        : store(random), uid(std::move(uid)) {}
    TopicStore store;
    std::string uid;
  };
  // A delivery and the message it carries (for properties and
  // attributes).
  struct Entry {
    Delivery delivery;
    std::shared_ptr<const PublishedMessage> message;
    TimePoint expires;  // the topic's retention: no attempt after it
    TimePoint due_at;   // when the attempt in flight was due
  };
  struct Outcome {
    bool ok = false;
    bool retry = true;  // a failure worth another attempt
    int http_status = 0;
    std::string result;
    nlohmann::json detail;
  };

  StatusOr<Account*> FindAccount(const std::string& account);
  std::string certificate_url() const;
  // Makes the attempt of `id` due now; runs it on this thread unless it is
  // an HTTP one, which goes to the workers.
  void Run(int64_t id);
  Outcome Attempt(const Entry& entry);
  Outcome AttemptQueue(const Entry& entry);
  Outcome AttemptSms(const Entry& entry);
  Outcome AttemptMail(const Entry& entry);
  Outcome AttemptHttp(const Entry& entry);
  // Records the outcome, schedules the next attempt or settles it.
  void Finish(int64_t id, TimePoint due, const Outcome& outcome);
  // Ids whose next attempt is due by `now`, taken off the schedule.
  std::vector<int64_t> TakeDueLocked(TimePoint now);
  void DropLocked(const std::function<bool(const Delivery&)>& which);
  void TrimLocked();
  void RetryLoop();
  void WorkLoop();
  // Loopback, or a host topics.allowed_hosts names.
  bool HostAllowed(const std::string& host) const;

  QueueService* queues_;
  AlicomService* alicom_;
  Clock* clock_;
  Random* random_;
  std::unique_ptr<Notifier> notifier_;
  const TopicSettings settings_;
  NotificationSigner signer_;
  std::string certificate_url_;
  DeliveryFaultHook fault_hook_;
  Random delivery_random_;

  // Held by DeliverDue() across taking due attempts and making them;
  // taken before mutex_, never after.
  std::mutex deliver_mutex_;
  mutable std::mutex mutex_;
  std::condition_variable retry_wake_;
  std::condition_variable work_wake_;
  std::map<std::string, std::unique_ptr<Account>> accounts_;
  std::map<int64_t, Entry> entries_;             // the log, by id
  std::set<std::pair<TimePoint, int64_t>> due_;  // next attempts
  std::deque<int64_t> ready_;                    // HTTP attempts due
  std::set<std::string> busy_;  // subscriptions with an HTTP attempt out
  int64_t next_id_ = 1;
  bool stopping_ = false;
  Clock::Subscription time_jumps_;
  std::thread retrier_;
  std::vector<std::thread> workers_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_SERVICE_TOPIC_SERVICE_H_
