// TopicService on the simulated clock: fan-out to queue, SMS and mail
// endpoints before Publish returns, HTTP pushes through the Notifier seam
// (a scripted one here; emulator/http/topic_server_test.cc pushes to a real
// HTTP server), the retry schedules, and what drops a delivery.
#include "emulator/service/topic_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mns/common/crypto.h"
#include "mns/common/testing/eventually.h"
#include "mns/notification_verifier.h"

namespace mns::emulator {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const TimePoint kT0 = FromUnixMillis(1'730'368'640'272);
constexpr char kAccount[] = "1234567890";
constexpr char kOther[] = "5555555555";

// Answers with `status` for every URL; holds requests to a URL in `gated`
// until Release().
class ScriptedNotifier : public Notifier {
 public:
  OutboundResult Post(const OutboundRequest& request) override {
    std::unique_lock<std::mutex> lock(mutex_);
    requests_.push_back(request);
    changed_.notify_all();
    changed_.wait(lock, [&] { return !gated_.contains(request.url); });
    if (auto it = status_.find(request.url); it != status_.end()) {
      if (it->second == 0) return {.error = "connection refused"};
      return {.status = it->second};
    }
    return {.status = 204};
  }
  void Answer(const std::string& url, int status) {
    std::lock_guard<std::mutex> lock(mutex_);
    status_[url] = status;
  }
  void Gate(const std::string& url) {
    std::lock_guard<std::mutex> lock(mutex_);
    gated_.insert(url);
  }
  void Release(const std::string& url) {
    std::lock_guard<std::mutex> lock(mutex_);
    gated_.erase(url);
    changed_.notify_all();
  }
  std::vector<OutboundRequest> Requests() {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<OutboundRequest> requests_;
  std::map<std::string, int> status_;
  std::set<std::string> gated_;
};

class TopicServiceTest : public ::testing::Test {
 protected:
  TopicServiceTest()
      : clock_(kT0),
        random_(3),
        queues_(&clock_, &random_, {}),
        alicom_(&queues_, &credentials_, &clock_, &random_,
                {.sms = {.report_delay_seconds = 2}}) {
    auto notifier = std::make_unique<ScriptedNotifier>();
    notifier_ = notifier.get();
    topics_ = std::make_unique<TopicService>(
        &queues_, &alicom_, &clock_, &random_, std::move(notifier),
        TopicSettings{.http_workers = 2,
                      .allowed_hosts = {"*.test.internal"},
                      .seed = 9});
    for (const char* account : {kAccount, kOther}) {
      queues_.AddAccount(account);
      topics_->AddAccount(account, account);
      alicom_.AddAccount(account);
    }
    topics_->SetCertificateUrl("http://127.0.0.1:1/cert.pem");
    EXPECT_TRUE(topics_->CreateTopic(kAccount, "t", {}).ok());
  }
  ~TopicServiceTest() override {
    topics_->Shutdown();
    alicom_.Shutdown();
  }

  void Subscribe(const std::string& name, const std::string& endpoint,
                 const std::string& format = "XML",
                 const std::string& strategy = "BACKOFF_RETRY") {
    auto made = topics_->Subscribe(kAccount, "t", name,
                                   {.endpoint = endpoint,
                                    .notify_strategy = strategy,
                                    .notify_content_format = format});
    ASSERT_TRUE(made.ok()) << made.status();
  }
  PublishedMessage Publish(PublishRequest request) {
    auto published = topics_->Publish(kAccount, "t", request);
    EXPECT_TRUE(published.ok()) << published.status();
    return published.ok() ? *published : PublishedMessage{};
  }
  std::vector<MessageView> Receive(const std::string& queue) {
    auto got = queues_.ReceiveMessage(kAccount, queue, 16, 0);
    return got.ok() ? *got : std::vector<MessageView>{};
  }
  Delivery Only(const std::string& subscription) {
    auto all = topics_->Deliveries({.subscription = subscription});
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? Delivery{} : all.front();
  }
  bool Settled(const std::string& subscription) {
    auto all = topics_->Deliveries({.subscription = subscription});
    return !all.empty() && !all.back().in_flight;
  }
  Delivery WaitForAttempts(const std::string& subscription, size_t attempts) {
    Delivery d;
    testutil::Eventually(
        [&] {
          d = Only(subscription);
          return d.attempts.size() >= attempts;
        },
        std::chrono::seconds(10), Duration(5));
    return d;
  }

  SimulatedClock clock_;
  Random random_;
  QueueService queues_;
  CredentialStore credentials_;
  AlicomService alicom_;
  ScriptedNotifier* notifier_;
  std::unique_ptr<TopicService> topics_;
};

TEST_F(TopicServiceTest, PublishEnqueuesIntoEveryMatchingQueueBeforeItReturns) {
  for (const char* q : {"xml", "json", "plain"}) {
    ASSERT_TRUE(queues_.CreateQueue(kAccount, q, {}).ok());
  }
  Subscribe("sx", "acs:mns:cn-hangzhou:1234567890:queues/xml");
  Subscribe("sj", "acs:mns:cn-hangzhou:1234567890:queues/json", "JSON");
  // The PHP SDK's ARN against 127.0.0.1 (spec topic §0 item 3).
  Subscribe("ss", "acs:mns:0:127:queues/plain", "SIMPLIFIED");
  PublishRequest request{.body = "test"};
  request.properties.user.push_back(
      {.name = "test-key1", .value = "string property", .type = "STRING"});
  request.properties.system.push_back(
      {.name = "baggage", .value = "baggage", .type = "STRING"});
  const PublishedMessage published = Publish(request);
  // No advance and no wait: they are there when Publish returns.
  auto xml = Receive("xml");
  ASSERT_EQ(xml.size(), 1u);
  EXPECT_THAT(xml[0].body, HasSubstr("<Message>test</Message>"));
  EXPECT_THAT(xml[0].body, HasSubstr("<MessageId>" + published.message_id));
  EXPECT_NE(xml[0].message_id, published.message_id);  // a new queue message
  EXPECT_EQ(xml[0].priority, 8);
  ASSERT_TRUE(xml[0].properties);
  EXPECT_EQ(*xml[0].properties, request.properties);
  auto json = Receive("json");
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(json[0].body)["Message"], "test");
  ASSERT_TRUE(json[0].properties);
  EXPECT_EQ(*json[0].properties, request.properties);
  auto plain = Receive("plain");
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].body, "test");
  EXPECT_EQ(Only("sx").state, DeliveryState::kDelivered);
  EXPECT_EQ(Only("sx").attempts[0].result, "enqueued");
}

TEST_F(TopicServiceTest, AQueueInAnotherAccountIsRefusedAtSubscribe) {
  auto made = topics_->Subscribe(
      kAccount, "t", "s",
      {.endpoint = std::string("acs:mns:r:") + kOther + ":queues/q"});
  EXPECT_EQ(made.status().error_code(), "EndpointInvalid");
}

TEST_F(TopicServiceTest, AMissingQueueIsRetriedUntilItExists) {
  Subscribe("s", "acs:mns:r:1234567890:queues/late");
  Publish({.body = "hello"});
  Delivery d = Only("s");
  ASSERT_EQ(d.attempts.size(), 1u);
  EXPECT_EQ(d.attempts[0].result, "QueueNotExist");
  ASSERT_TRUE(d.next_attempt);
  const Duration wait = *d.next_attempt - d.attempts[0].due;
  EXPECT_GE(wait, std::chrono::seconds(10));
  EXPECT_LE(wait, std::chrono::seconds(20));
  ASSERT_TRUE(queues_.CreateQueue(kAccount, "late", {}).ok());
  clock_.Advance(std::chrono::seconds(20));
  topics_->DeliverDue();
  d = Only("s");
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(d.attempts.size(), 2u);
  EXPECT_EQ(Receive("late").size(), 1u);
}

TEST_F(TopicServiceTest, BackoffRetryGivesUpAfterThreeRetries) {
  Subscribe("s", "acs:mns:r:1234567890:queues/never");
  Publish({.body = "hello"});
  clock_.Advance(std::chrono::minutes(2));
  topics_->DeliverDue();
  const Delivery d = Only("s");
  EXPECT_EQ(d.state, DeliveryState::kFailed);
  ASSERT_EQ(d.attempts.size(), 4u);
  for (size_t i = 1; i < d.attempts.size(); ++i) {
    const Duration gap = d.attempts[i].due - d.attempts[i - 1].due;
    EXPECT_GE(gap, std::chrono::seconds(10));
    EXPECT_LE(gap, std::chrono::seconds(20));
  }
}

TEST_F(TopicServiceTest, ADayOfExponentialRetriesTakesOneAdvance) {
  Subscribe("s", "acs:mns:r:1234567890:queues/never", "XML",
            "EXPONENTIAL_DECAY_RETRY");
  Publish({.body = "hello"});
  clock_.Advance(std::chrono::hours(24));
  topics_->DeliverDue();
  const Delivery d = Only("s");
  EXPECT_EQ(d.state, DeliveryState::kFailed);
  // 176 retries over 86,015 s, but the topic keeps a message 86,400 s: all
  // of them are made.
  ASSERT_EQ(d.attempts.size(), 177u);
  EXPECT_EQ(d.attempts.back().due - d.attempts.front().due,
            std::chrono::seconds(86015));
}

TEST_F(TopicServiceTest, RetriesStopAtTheTopicsRetention) {
  ASSERT_TRUE(
      topics_
          ->SetTopicAttributes(kAccount, "t", {.message_retention_period = 60})
          .ok());
  Subscribe("s", "acs:mns:r:1234567890:queues/never", "XML",
            "EXPONENTIAL_DECAY_RETRY");
  Publish({.body = "hello"});
  clock_.Advance(std::chrono::hours(1));
  topics_->DeliverDue();
  const Delivery d = Only("s");
  EXPECT_EQ(d.state, DeliveryState::kFailed);
  // Due at 0, 1, 3, 7, 15, 31 s; the next (63 s) is past the 60 s.
  EXPECT_EQ(d.attempts.size(), 6u);
}

TEST_F(TopicServiceTest, AnHttpPushIsSignedAsTheSamplesVerifyIt) {
  Subscribe("s", "http://127.0.0.1:8080/endpoint?x=1", "XML");
  const PublishedMessage published = Publish({.body = "test"});
  ASSERT_TRUE(testutil::Eventually([&] { return Settled("s"); },
                                   std::chrono::seconds(10), Duration(5)));
  const auto requests = notifier_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  const OutboundRequest& r = requests[0];
  EXPECT_EQ(r.target, "/endpoint?x=1");
  EXPECT_EQ(r.content_type, "text/xml;charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<MessageId>" + published.message_id));
  std::map<std::string, std::string> headers(r.headers.begin(),
                                             r.headers.end());
  EXPECT_EQ(headers["User-Agent"], "Aliyun Notification Service Agent");
  EXPECT_EQ(headers["x-mns-version"], "2015-06-06");
  EXPECT_EQ(Base64Decode(headers["x-mns-signing-cert-url"]),
            "http://127.0.0.1:1/cert.pem");
  EXPECT_EQ(headers["Content-md5"], Base64Encode(HexLower(Md5(r.body))));
  EXPECT_FALSE(headers.contains("x-mns-message-id"));  // SIMPLIFIED only
  // The client library's verifier, written apart from the signer, checks
  // it against the certificate, and refuses it once anything is changed.
  NotificationHeaders sent(r.headers.begin(), r.headers.end());
  sent.emplace_back("Content-Type", r.content_type);
  NotificationVerifier verifier(
      {.trusted_certificate_prefixes = {"http://127.0.0.1:1/"},
       .fetch = [&](const std::string& url) -> StatusOr<std::string> {
         EXPECT_EQ(url, "http://127.0.0.1:1/cert.pem");
         return topics_->signer().CertificatePem();
       }});
  EXPECT_TRUE(verifier.Verify("POST", r.target, sent, r.body).ok());
  EXPECT_FALSE(verifier.Verify("POST", r.target + "x", sent, r.body).ok());
  EXPECT_FALSE(verifier.Verify("POST", r.target, sent, r.body + "x").ok());
  EXPECT_EQ(Only("s").state, DeliveryState::kDelivered);
}

TEST_F(TopicServiceTest, SimplifiedPushesCarryTheMessageInHeaders) {
  Subscribe("s", "http://localhost:9/", "SIMPLIFIED");
  const PublishedMessage published = Publish({.body = "raw", .tag = "t1"});
  ASSERT_TRUE(testutil::Eventually([&] { return Settled("s"); },
                                   std::chrono::seconds(10), Duration(5)));
  const auto r = notifier_->Requests().at(0);
  std::map<std::string, std::string> headers(r.headers.begin(),
                                             r.headers.end());
  EXPECT_EQ(r.body, "raw");
  EXPECT_EQ(r.target, "/");
  EXPECT_EQ(r.content_type, "text/plain;charset=utf-8");
  EXPECT_EQ(headers["Content-md5"], HexUpper(Md5("raw")));
  EXPECT_EQ(headers["x-mns-message-id"], published.message_id);
  EXPECT_EQ(headers["x-mns-message-tag"], "t1");
  EXPECT_EQ(headers["x-mns-topic-name"], "t");
  EXPECT_EQ(headers["x-mns-subscription-name"], "s");
  EXPECT_EQ(headers["x-mns-publish-time"],
            std::to_string(ToUnixMillis(published.publish_time)));
}

TEST_F(TopicServiceTest, AnEndpointWithNoPathIsPostedAtNotifications) {
  Subscribe("s", "http://127.0.0.1:8080", "JSON");
  Publish({.body = "b"});
  ASSERT_TRUE(testutil::Eventually([&] { return Settled("s"); },
                                   std::chrono::seconds(10), Duration(5)));
  EXPECT_EQ(notifier_->Requests().at(0).target, "/notifications");
  EXPECT_EQ(notifier_->Requests().at(0).content_type,
            "application/json;charset=utf-8");
}

TEST_F(TopicServiceTest, FailedPushesAreRetriedOnTheClockThenDelivered) {
  const std::string url = "http://127.0.0.1:8080/n";
  notifier_->Answer(url, 500);
  Subscribe("s", url);
  Publish({.body = "b"});
  Delivery d = WaitForAttempts("s", 1);
  EXPECT_EQ(d.attempts[0].http_status, 500);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  notifier_->Answer(url, 0);  // no answer at all
  clock_.Advance(std::chrono::seconds(20));
  d = WaitForAttempts("s", 2);
  EXPECT_THAT(d.attempts[1].result, StartsWith("no answer: "));
  notifier_->Answer(url, 200);  // any 2xx (spec topic §4.0)
  clock_.Advance(std::chrono::seconds(20));
  d = WaitForAttempts("s", 3);
  ASSERT_TRUE(testutil::Eventually([&] { return Settled("s"); },
                                   std::chrono::seconds(10), Duration(5)));
  EXPECT_EQ(Only("s").state, DeliveryState::kDelivered);
}

TEST_F(TopicServiceTest, HostsOffTheAllowListAreNeverContacted) {
  Subscribe("baidu", "https://www.baidu.com/");
  Subscribe("allowed", "http://hooks.test.internal/n");
  Publish({.body = "b"});
  ASSERT_TRUE(testutil::Eventually(
      [&] { return Settled("baidu") && Settled("allowed"); },
      std::chrono::seconds(10), Duration(5)));
  const Delivery baidu = Only("baidu");
  EXPECT_EQ(baidu.state, DeliveryState::kFailed);
  EXPECT_THAT(baidu.attempts[0].result,
              StartsWith("host not allowed: www.baidu.com"));
  const auto requests = notifier_->Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].url, "http://hooks.test.internal/n");
}

TEST_F(TopicServiceTest, ASlowEndpointHoldsNoOtherSubscriptionsDelivery) {
  const std::string slow = "http://127.0.0.1:8080/slow";
  notifier_->Gate(slow);
  Subscribe("slow", slow);
  Subscribe("fast", "http://127.0.0.1:8080/fast");
  Subscribe("queue", "acs:mns:r:1234567890:queues/q");
  ASSERT_TRUE(queues_.CreateQueue(kAccount, "q", {}).ok());
  for (int i = 0; i < 3; ++i) Publish({.body = std::to_string(i)});
  auto slow_requests = [&] {
    int n = 0;
    for (const auto& r : notifier_->Requests()) n += r.url == slow;
    return n;
  };
  // The slow endpoint's first attempt hangs at the gate...
  ASSERT_TRUE(testutil::Eventually([&] { return slow_requests() == 1; },
                                   std::chrono::seconds(10), Duration(5)));
  // ...while the fast one gets all three and the queue all three.
  EXPECT_TRUE(testutil::Eventually(
      [&] {
        auto fast = topics_->Deliveries({.subscription = "fast"});
        return fast.size() == 3 &&
               std::all_of(fast.begin(), fast.end(), [](const Delivery& d) {
                 return d.state == DeliveryState::kDelivered;
               });
      },
      std::chrono::seconds(10), Duration(5)));
  EXPECT_EQ(Receive("q").size(), 3u);
  // One attempt out per subscription: the other two wait their turn.
  EXPECT_EQ(slow_requests(), 1);
  notifier_->Release(slow);
  EXPECT_TRUE(testutil::Eventually(
      [&] {
        auto all = topics_->Deliveries({.subscription = "slow"});
        return std::all_of(all.begin(), all.end(), [](const Delivery& d) {
          return d.state == DeliveryState::kDelivered;
        });
      },
      std::chrono::seconds(10), Duration(5)));
}

TEST_F(TopicServiceTest, DirectSmsSendsThroughTheSmsCenter) {
  Subscribe("one", "sms:directsms:13800000000");
  Subscribe("batch", "sms:directsms:anonymous");
  // PHP SmsAttributes: no Type, a Receiver, SmsParams a JSON string.
  Publish({.body = "b",
           .attributes = {{"DirectSMS",
                           R"({"FreeSignName":"\u963f\u91cc\u4e91",)"
                           R"("TemplateCode":"SMS_1","Receiver":"13900000000",)"
                           R"("SmsParams":"{\"code\":\"1234\"}"})"}}});
  auto sent = alicom_.Outbox({.phone_number = "13900000000"});
  // Both endpoints send to the Receiver.
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].sign_name, "阿里云");
  EXPECT_EQ(sent[0].template_param, R"({"code":"1234"})");
  EXPECT_EQ(Only("one").state, DeliveryState::kDelivered);
  const std::string biz_id = Only("one").detail["sms"][0]["biz_id"];
  EXPECT_TRUE(biz_id == sent[0].biz_id || biz_id == sent[1].biz_id);
  // A multiContent batch: only the anonymous subscription sends.
  topics_->ClearDeliveries();
  Publish({.body = "b",
           .attributes = {{"DirectSMS",
                           R"({"Type":"multiContent","FreeSignName":"阿里云",)"
                           R"("TemplateCode":"SMS_1","SmsParams":)"
                           R"("{\"13700000001\":{\"code\":\"1\"},)"
                           R"(\"13700000002\":{\"code\":\"2\"}}"})"}}});
  EXPECT_EQ(alicom_.Outbox({.phone_number = "13700000001"}).size(), 1u);
  EXPECT_EQ(alicom_.Outbox({.phone_number = "13700000002"}).size(), 1u);
  EXPECT_THAT(Only("one").attempts[0].result, StartsWith("ignored"));
  // No DirectSMS, or one the SMS center refuses: failed, not retried.
  topics_->ClearDeliveries();
  Publish({.body = "b"});
  EXPECT_EQ(Only("one").state, DeliveryState::kFailed);
  EXPECT_EQ(Only("one").attempts[0].result, "no DirectSMS attribute");
  EXPECT_EQ(Only("batch").attempts[0].result, "no DirectSMS attribute");
}

TEST_F(TopicServiceTest, DirectMailIsRecordedNotSent) {
  Subscribe("m", "mail:directmail:someone@example.com");
  Publish({.body = "hello",
           .attributes = {
               {"DirectMail",
                R"({"Subject":"Hi","AccountName":"a@b.c",)"
                R"("AddressType":0,"ReplyToAddress":"0","IsHtml":"0"})"}}});
  const Delivery d = Only("m");
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(d.detail["mail"]["to"], "someone@example.com");
  EXPECT_EQ(d.detail["mail"]["subject"], "Hi");
  EXPECT_EQ(d.detail["mail"]["address_type"], "0");
  EXPECT_EQ(d.detail["mail"]["body"], "hello");
}

TEST_F(TopicServiceTest, UnsubscribingDropsWhatIsStillPending) {
  Subscribe("s", "acs:mns:r:1234567890:queues/never");
  Publish({.body = "b"});
  EXPECT_EQ(topics_->PendingDeliveries(), 1u);
  EXPECT_TRUE(topics_->Unsubscribe(kAccount, "t", "s"));
  EXPECT_EQ(Only("s").state, DeliveryState::kDropped);
  EXPECT_EQ(topics_->PendingDeliveries(), 0u);
  clock_.Advance(std::chrono::minutes(1));
  topics_->DeliverDue();
  EXPECT_EQ(Only("s").attempts.size(), 1u);  // no retry after the drop
}

TEST_F(TopicServiceTest, AFaultHookFailsTheAttemptsItMatches) {
  ASSERT_TRUE(queues_.CreateQueue(kAccount, "q", {}).ok());
  Subscribe("s", "acs:mns:r:1234567890:queues/q");
  int fired = 0;
  topics_->SetFaultHook(
      [&](const DeliveryFacts& facts) -> std::optional<DeliveryFault> {
        if (facts.subscription != "s" || fired == 2) return std::nullopt;
        ++fired;
        return DeliveryFault{.reason = "InternalError"};
      });
  Publish({.body = "b"});
  clock_.Advance(std::chrono::minutes(1));
  topics_->DeliverDue();
  const Delivery d = Only("s");
  ASSERT_EQ(d.attempts.size(), 3u);
  EXPECT_EQ(d.attempts[0].result, "fault: InternalError");
  EXPECT_EQ(d.state, DeliveryState::kDelivered);
  EXPECT_EQ(Receive("q").size(), 1u);
}

TEST_F(TopicServiceTest, ResetDropsTopicsAndDeliveries) {
  Subscribe("s", "acs:mns:r:1234567890:queues/never");
  Publish({.body = "b"});
  topics_->Reset();
  EXPECT_TRUE(topics_->Deliveries({}).empty());
  EXPECT_EQ(topics_->GetTopicAttributes(kAccount, "t").status().error_code(),
            "TopicNotExist");
}

}  // namespace
}  // namespace mns::emulator
