// Topic and subscription operations and the two round trips a topic makes
// (to a queue, to an HTTP endpoint), through the client library's
// TopicClient. Every topic is this run's own and is deleted at the end.
// The round trips are unverified until a live run; the HTTP one needs an
// endpoint the cloud can reach, so against live it is skipped unless one
// is named.
#include <httplib.h>

#include <mutex>
#include <set>
#include <thread>

#include "conformance/conformance.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/testing/http_receiver.h"
#include "mns/notification_verifier.h"
#include "mns/topic_client.h"

namespace mns::conformance {
namespace {

class TopicFixture : public ConformanceTest {
 protected:
  void SetUp() override {
    ConformanceTest::SetUp();
    if (IsSkipped()) return;
    ClientOptions options = DefaultOptions();
    topics_ = std::make_unique<TopicClient>(options);
    options.base64_bodies = false;
    raw_ = Client(options);
  }
  void TearDown() override {
    for (const std::string& topic : names_) (void)topics_->DeleteTopic(topic);
    ConformanceTest::TearDown();
  }
  // A topic name unique to this test, deleted at its end.
  std::string TopicName() {
    static std::atomic<int> counter{0};
    names_.push_back(kQueuePrefix + target().run_id + "-t" +
                     std::to_string(++counter));
    return names_.back();
  }
  std::string NewTopic(const TopicAttributes& attributes = {}) {
    std::string name = TopicName();
    auto created = topics_->CreateTopic(name, attributes);
    EXPECT_TRUE(created.ok())
        << "CreateTopic " << name << ": " << created.status();
    return name;
  }
  // The endpoint of one of this account's queues, spelled as the SDKs
  // spell it from the MNS endpoint's host (<account>.mns.<region>...).
  std::string QueueEndpoint(const std::string& queue) {
    const std::string host =
        SplitHttpUrl(target().mns_endpoint).value_or(HttpUrl{}).host;
    std::vector<std::string> labels;
    for (size_t at = 0; at <= host.size();) {
      const size_t dot = std::min(host.find('.', at), host.size());
      labels.push_back(host.substr(at, dot - at));
      at = dot + 1;
    }
    return TopicClient::QueueEndpoint(labels.size() > 2 ? labels[2] : "",
                                      labels[0], queue);
  }
  TopicClient& topics() { return *topics_; }
  MnsClient& raw() { return *raw_; }

 private:
  std::unique_ptr<TopicClient> topics_;
  std::unique_ptr<MnsClient> raw_;
  std::vector<std::string> names_;
};

class Topics : public TopicFixture {};
class Subscriptions : public TopicFixture {};
class TopicDelivery : public TopicFixture {};

// ---- topics ----------------------------------------------------------------

CONFORMANCE_TEST(Topics, CreateIsIdempotentForTheSameAttributes, "CreateTopic",
                 unverified()) {
  const std::string topic = TopicName();
  EXPECT_EQ(topics()
                .CreateTopic(topic, {.maximum_message_size = 66560})
                .status()
                .error_code(),
            "InvalidArgument");
  auto first = topics().CreateTopic(topic);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);
  auto again = topics().CreateTopic(topic, {.maximum_message_size = 65536});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
  EXPECT_EQ(topics()
                .CreateTopic(topic, {.maximum_message_size = 10240})
                .status()
                .error_code(),
            "TopicAlreadyExist");
}

CONFORMANCE_TEST(Topics, NewTopicHasTheDocumentedDefaults, "GetTopicAttributes",
                 unverified()) {
  const std::string topic = NewTopic();
  auto info = topics().GetTopicAttributes(topic);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name, topic);
  EXPECT_EQ(info->maximum_message_size, 65536);
  EXPECT_EQ(info->message_retention_period, 86400);
  EXPECT_EQ(info->message_count, 0);
  EXPECT_FALSE(info->logging_enabled);
}

CONFORMANCE_TEST(Topics, SetChangesOnlyTheGivenAttributes, "SetTopicAttributes",
                 unverified()) {
  const std::string topic = NewTopic({.maximum_message_size = 2048});
  ASSERT_TRUE(
      topics().SetTopicAttributes(topic, {.logging_enabled = true}).ok());
  ASSERT_TRUE(topics().SetTopicAttributes(topic, {}).ok());
  auto info = topics().GetTopicAttributes(topic);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->logging_enabled);
  EXPECT_EQ(info->maximum_message_size, 2048);
  EXPECT_EQ(topics().SetTopicAttributes(TopicName(), {}).error_code(),
            "TopicNotExist");
}

CONFORMANCE_TEST(Topics, ListPagesByPrefixWithAMarker, "ListTopic",
                 unverified()) {
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) created.insert(NewTopic());
  const std::string prefix = std::string(kQueuePrefix) + target().run_id + "-t";
  std::set<std::string> listed;
  std::string marker;
  int pages = 0;
  do {
    auto page = topics().ListTopics(prefix, marker, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->topic_names.size(), 2u);
    listed.insert(page->topic_names.begin(), page->topic_names.end());
    marker = page->next_marker;
  } while (!marker.empty() && ++pages < 100);
  for (const auto& name : created) EXPECT_TRUE(listed.contains(name)) << name;
}

CONFORMANCE_TEST(Topics, PublishAnswersTheIdAndTheBodysMd5, "PublishMessage",
                 unverified()) {
  const std::string topic = NewTopic({.maximum_message_size = 1024});
  auto published = topics().PublishMessage(topic, {.body = "test"});
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->message_id.size(), 32u);
  EXPECT_EQ(published->body_md5, "098F6BCD4621D373CADE4E832627B4F6");
  EXPECT_EQ(topics()
                .PublishMessage(topic, {.body = std::string(1025, 'x')})
                .status()
                .error_code(),
            "InvalidArgument");
  ASSERT_TRUE(topics().DeleteTopic(topic).ok());
  EXPECT_EQ(topics().PublishMessage(topic, {.body = "x"}).status().error_code(),
            "TopicNotExist");
  EXPECT_TRUE(topics().DeleteTopic(topic).ok());  // idempotent
}

// ---- subscriptions ---------------------------------------------------------

CONFORMANCE_TEST(Subscriptions, SubscribeFollowsTheConflictRules, "Subscribe",
                 unverified()) {
  const std::string topic = NewTopic();
  const SubscriptionAttributes xml{
      .endpoint = "https://www.baidu.com/",
      .notify_strategy = NotifyStrategy::kBackoffRetry,
      .notify_content_format = NotifyContentFormat::kXml};
  EXPECT_EQ(*topics().Subscribe(topic, "s", xml), true);
  EXPECT_EQ(
      *topics().Subscribe(topic, "s", {.endpoint = "https://www.baidu.com/"}),
      false);
  SubscriptionAttributes simplified = xml;
  simplified.notify_content_format = NotifyContentFormat::kSimplified;
  EXPECT_EQ(topics().Subscribe(topic, "s", simplified).status().error_code(),
            "SubscriptionAlreadyExist");
  EXPECT_EQ(topics()
                .Subscribe(TopicName(), "s", {.endpoint = "http://127.0.0.1/"})
                .status()
                .error_code(),
            "TopicNotExist");
}

CONFORMANCE_TEST(Subscriptions, SetChangesTheStrategy,
                 "SetSubscriptionAttributes", unverified()) {
  const std::string topic = NewTopic();
  ASSERT_TRUE(topics()
                  .Subscribe(topic, "s", {.endpoint = "https://www.baidu.com/"})
                  .ok());
  ASSERT_TRUE(
      topics()
          .SetSubscriptionAttributes(
              topic, "s",
              {.notify_strategy = NotifyStrategy::kExponentialDecayRetry})
          .ok());
  auto info = topics().GetSubscriptionAttributes(topic, "s");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->topic_name, topic);
  EXPECT_EQ(info->subscription_name, "s");
  EXPECT_EQ(info->notify_strategy, NotifyStrategy::kExponentialDecayRetry);
  EXPECT_EQ(info->notify_content_format, NotifyContentFormat::kXml);
}

CONFORMANCE_TEST(Subscriptions, UnsubscribeIsIdempotent, "Unsubscribe",
                 unverified()) {
  const std::string topic = NewTopic();
  ASSERT_TRUE(topics()
                  .Subscribe(topic, "s", {.endpoint = "https://www.baidu.com/"})
                  .ok());
  EXPECT_TRUE(topics().Unsubscribe(topic, "s").ok());
  EXPECT_TRUE(topics().Unsubscribe(topic, "s").ok());
  EXPECT_EQ(
      topics().GetSubscriptionAttributes(topic, "s").status().error_code(),
      "SubscriptionNotExist");
}

CONFORMANCE_TEST(Subscriptions, ListPagesByPrefix, "ListSubscriptionByTopic",
                 unverified()) {
  const std::string topic = NewTopic();
  for (const char* name : {"sub-a", "sub-b", "sub-c"}) {
    ASSERT_TRUE(
        topics()
            .Subscribe(topic, name, {.endpoint = "https://www.baidu.com/"})
            .ok());
  }
  auto first = topics().ListSubscriptions(topic, "sub-", "", 2);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->subscription_names,
            (std::vector<std::string>{"sub-a", "sub-b"}));
  auto second =
      topics().ListSubscriptions(topic, "sub-", first->next_marker, 2);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->subscription_names, (std::vector<std::string>{"sub-c"}));
  EXPECT_EQ(second->next_marker, "");
}

// ---- round trips -----------------------------------------------------------

CONFORMANCE_TEST(TopicDelivery, AQueueSubscriptionReceivesWhatIsPublished,
                 "PublishMessage", unverified()) {
  const std::string topic = NewTopic();
  const std::string queue = NewQueue();
  ASSERT_TRUE(
      topics()
          .Subscribe(topic, "to-queue",
                     {.endpoint = QueueEndpoint(queue),
                      .notify_content_format = NotifyContentFormat::kSimplified,
                      .filter_tag = "keep"})
          .ok());
  ASSERT_TRUE(topics().PublishMessage(topic, {.body = "skipped"}).ok());
  auto published =
      topics().PublishMessage(topic, {.body = "delivered", .tag = "keep"});
  ASSERT_TRUE(published.ok()) << published.status();
  auto received = raw().ReceiveMessage(queue, 10);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, "delivered");
  EXPECT_NE(received->message_id, published->message_id);
  ASSERT_TRUE(raw().DeleteMessage(queue, received->receipt_handle).ok());
  EXPECT_EQ(raw().ReceiveMessage(queue, 1).status().error_code(),
            "MessageNotExist");
}

CONFORMANCE_TEST(TopicDelivery, AnHttpSubscriptionGetsAVerifiableNotification,
                 "PublishMessage", unverified()) {
  if (target().live) {
    GTEST_SKIP() << "needs an HTTP endpoint the cloud can reach";
  }
  testutil::HttpReceiver receiver;
  const std::string topic = NewTopic();
  ASSERT_TRUE(topics()
                  .Subscribe(topic, "to-http", {.endpoint = receiver.Url("/n")})
                  .ok());
  auto published = topics().PublishMessage(topic, {.body = "ping"});
  ASSERT_TRUE(published.ok()) << published.status();
  ASSERT_TRUE(Eventually([&] { return receiver.Count() > 0; }, Duration(20'000),
                         Duration(10)));
  const httplib::Request r = receiver.Requests().front();
  const NotificationHeaders headers(r.headers.begin(), r.headers.end());
  NotificationVerifier verifier({.trusted_certificate_prefixes = {
                                     target().mns_endpoint + "/_emulator/"}});
  EXPECT_TRUE(verifier.Verify("POST", r.target, headers, r.body).ok());
  auto notification = NotificationVerifier::Decode(headers, r.body);
  ASSERT_TRUE(notification.ok()) << notification.status();
  EXPECT_EQ(notification->message, "ping");
  EXPECT_EQ(notification->message_id, published->message_id);
  EXPECT_EQ(notification->topic_name, topic);
}

}  // namespace
}  // namespace mns::conformance
