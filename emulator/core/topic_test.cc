#include "emulator/core/topic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "emulator/core/notification.h"

namespace mns::emulator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const TimePoint kT0 = FromUnixMillis(1'730'368'640'272);

class TopicStoreTest : public ::testing::Test {
 protected:
  TopicStoreTest() : random_(1), store_(&random_) {}

  void Subscribe(const std::string& name, const std::string& endpoint,
                 const std::string& filter_tag = "") {
    SubscriptionAttributeUpdate update{.endpoint = endpoint};
    if (!filter_tag.empty()) update.filter_tag = filter_tag;
    ASSERT_TRUE(store_.Subscribe("t", name, update, kT0).ok());
  }
  std::vector<std::string> Subscribers(const Publication& p) {
    std::vector<std::string> out;
    for (const auto& s : p.subscribers) out.push_back(s.name);
    return out;
  }
  std::string Code(const Status& status) { return status.error_code(); }

  Random random_;
  TopicStore store_;
};

TEST_F(TopicStoreTest, CreateIsIdempotentOnlyForTheSameEffectiveAttributes) {
  // PHP ClientTest::testCreateTopicSync (spec topic §2.1).
  auto too_big = store_.Create("t", {.maximum_message_size = 66560}, kT0);
  EXPECT_EQ(Code(too_big.status()), "InvalidArgument");
  EXPECT_EQ(too_big.status().message(),
            "The value of MaximumMessageSize should between 1024 and 65536 "
            "bytes.");
  EXPECT_EQ(Code(store_.Find("t").status()), "TopicNotExist");  // not made
  EXPECT_EQ(*store_.Create("t", {}, kT0), CreateOutcome::kCreated);
  EXPECT_EQ(*store_.Create("t", {.maximum_message_size = 65536}, kT0),
            CreateOutcome::kAlreadyExistsWithSameAttributes);
  EXPECT_EQ(
      Code(store_.Create("t", {.maximum_message_size = 10240}, kT0).status()),
      "TopicAlreadyExist");
}

TEST_F(TopicStoreTest, SetAttributesChangesOnlyWhatIsSent) {
  ASSERT_TRUE(store_.Create("t", {}, kT0).ok());
  ASSERT_TRUE(store_.SetAttributes("t", {.logging_enabled = true}, kT0).ok());
  const TimePoint later = kT0 + std::chrono::seconds(5);
  ASSERT_TRUE(store_.SetAttributes("t", {}, later).ok());
  Topic* topic = *store_.Find("t");
  EXPECT_TRUE(topic->attributes().logging_enabled);
  EXPECT_EQ(topic->last_modify_time(), later);
  EXPECT_EQ(
      Code(store_.SetAttributes("t", {.message_retention_period = 59}, kT0)),
      "InvalidArgument");
  EXPECT_EQ(Code(store_.SetAttributes("gone", {}, kT0)), "TopicNotExist");
}

TEST_F(TopicStoreTest, NamesOutsideTheRangeAreRefusedByKind) {
  EXPECT_EQ(Code(store_.Create(std::string(257, 'a'), {}, kT0).status()),
            "TopicNameLengthError");
  EXPECT_TRUE(store_.Create(std::string(256, 'a'), {}, kT0).ok());
  EXPECT_EQ(Code(store_.Create("-t", {}, kT0).status()), "TopicNameInvalid");
  EXPECT_EQ(Code(store_.Create("t_1", {}, kT0).status()), "TopicNameInvalid");
  ASSERT_TRUE(store_.Create("t", {}, kT0).ok());
  EXPECT_EQ(
      Code(store_.Subscribe("t", "", {.endpoint = "http://h/"}, kT0).status()),
      "SubscriptionNameLengthError");
  EXPECT_EQ(Code(store_.Subscribe("t", "s.1", {.endpoint = "http://h/"}, kT0)
                     .status()),
            "SubscriptionNameInvalid");
}

TEST_F(TopicStoreTest, ListPagesByNameWithAMarker) {
  for (const char* name : {"a1", "b1", "b2", "b3"}) {
    ASSERT_TRUE(store_.Create(name, {}, kT0).ok());
  }
  auto first = store_.List("b", "", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->items[1]->name(), "b2");
  EXPECT_EQ(first->next_marker, "YjM=");  // base64 "b3"
  auto second = store_.List("b", first->next_marker, 2);
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0]->name(), "b3");
  EXPECT_EQ(second->next_marker, "");
  EXPECT_EQ(Code(store_.List("", "", 1001).status()), "InvalidArgument");
  EXPECT_EQ(Code(store_.List("", "%%%", 10).status()), "InvalidArgument");
}

TEST_F(TopicStoreTest, SubscribeFollowsTheConflictRules) {
  ASSERT_TRUE(store_.Create("t", {}, kT0).ok());
  // PHP TopicTest::testSubscribe.
  SubscriptionAttributeUpdate xml{.endpoint = "https://www.baidu.com/",
                                  .notify_strategy = "BACKOFF_RETRY",
                                  .notify_content_format = "XML"};
  EXPECT_EQ(*store_.Subscribe("t", "s", xml, kT0), CreateOutcome::kCreated);
  EXPECT_EQ(
      *store_.Subscribe("t", "s", {.endpoint = "https://www.baidu.com/"}, kT0),
      CreateOutcome::kAlreadyExistsWithSameAttributes);
  xml.notify_content_format = "SIMPLIFIED";
  EXPECT_EQ(Code(store_.Subscribe("t", "s", xml, kT0).status()),
            "SubscriptionAlreadyExist");
  EXPECT_EQ(Code(store_.Subscribe("none", "s", xml, kT0).status()),
            "TopicNotExist");
  const std::pair<SubscriptionAttributeUpdate, const char*> refused[] = {
      {{}, "InvalidArgument"},  // no Endpoint
      {{.endpoint = "http://h/", .notify_strategy = "SOMETIMES"},
       "InvalidArgument"},
      {{.endpoint = "http://h/", .notify_content_format = "YAML"},
       "InvalidArgument"},
      {{.endpoint = "http://h/", .filter_tag = std::string(17, 'x')},
       "InvalidArgument"},
      {{.endpoint = "ftp://h/"}, "EndpointInvalid"},
  };
  for (const auto& [update, code] : refused) {
    EXPECT_EQ(Code(store_.Subscribe("t", "s2", update, kT0).status()), code)
        << update.endpoint.value_or("(no endpoint)");
  }
  EXPECT_EQ(Code(store_.GetSubscription("t", "s2").status()),
            "SubscriptionNotExist");  // none of them was made
}

TEST_F(TopicStoreTest, SetSubscriptionAttributesChangesStrategyAndFilterOnly) {
  ASSERT_TRUE(store_.Create("t", {}, kT0).ok());
  Subscribe("s", "http://127.0.0.1/a");
  ASSERT_TRUE(store_
                  .SetSubscriptionAttributes(
                      "t", "s",
                      {.endpoint = "http://127.0.0.1/b",
                       .notify_strategy = "EXPONENTIAL_DECAY_RETRY",
                       .notify_content_format = "JSON",
                       .filter_tag = "vip"},
                      kT0 + std::chrono::seconds(1))
                  .ok());
  const Subscription* s = *store_.GetSubscription("t", "s");
  EXPECT_EQ(s->attributes.notify_strategy,
            NotifyStrategy::kExponentialDecayRetry);
  EXPECT_EQ(s->attributes.filter_tag, "vip");
  EXPECT_EQ(s->attributes.endpoint, "http://127.0.0.1/a");
  EXPECT_EQ(s->attributes.notify_content_format, NotifyContentFormat::kXml);
  EXPECT_TRUE(store_.Unsubscribe("t", "s"));
  EXPECT_FALSE(store_.Unsubscribe("t", "s"));
  EXPECT_EQ(Code(store_.GetSubscription("t", "s").status()),
            "SubscriptionNotExist");
  EXPECT_EQ(Code(store_.SetSubscriptionAttributes("t", "s", {}, kT0)),
            "SubscriptionNotExist");
}

TEST_F(TopicStoreTest, PublishGoesToEverySubscriptionTheTagLetsThrough) {
  ASSERT_TRUE(store_.Create("t", {}, kT0).ok());
  Subscribe("all", "http://127.0.0.1/");
  Subscribe("vip", "http://127.0.0.1/", "vip");
  auto untagged = store_.Publish("t", {.body = "test"}, kT0);
  ASSERT_TRUE(untagged.ok()) << untagged.status();
  EXPECT_THAT(Subscribers(*untagged), ElementsAre("all"));
  EXPECT_EQ(untagged->message.body_md5, "098F6BCD4621D373CADE4E832627B4F6");
  EXPECT_EQ(untagged->message.message_id.size(), 32u);
  auto tagged = store_.Publish("t", {.body = "test", .tag = "vip"}, kT0);
  EXPECT_THAT(Subscribers(*tagged), ElementsAre("all", "vip"));
  // Exact and case-sensitive (spec topic §3.6).
  auto other = store_.Publish("t", {.body = "test", .tag = "VIP"}, kT0);
  EXPECT_THAT(Subscribers(*other), ElementsAre("all"));
}

TEST_F(TopicStoreTest, PublishRefusesWhatTheTopicCannotTake) {
  ASSERT_TRUE(store_.Create("t", {.maximum_message_size = 1024}, kT0).ok());
  EXPECT_TRUE(store_.Publish("t", {.body = std::string(1024, 'x')}, kT0).ok());
  auto too_big = store_.Publish("t", {.body = std::string(1025, 'x')}, kT0);
  EXPECT_EQ(Code(too_big.status()), "InvalidArgument");
  EXPECT_THAT(too_big.status().message(), HasSubstr("MaximumMessageSize"));
  // Properties count toward the size (spec topic §5.4).
  PublishRequest with_properties{.body = std::string(1000, 'x')};
  with_properties.properties.user.push_back(
      {.name = "k", .value = std::string(30, 'v'), .type = "STRING"});
  EXPECT_EQ(Code(store_.Publish("t", with_properties, kT0).status()),
            "InvalidArgument");
  EXPECT_EQ(Code(store_.Publish("t", {.body = ""}, kT0).status()),
            "InvalidArgument");
  EXPECT_EQ(
      Code(store_.Publish("t", {.body = "b", .tag = std::string(17, 't')}, kT0)
               .status()),
      "InvalidArgument");
  EXPECT_EQ(Code(store_
                     .Publish("t",
                              {.body = "b",
                               .attributes = {{"DirectSMS", "{not json"}}},
                              kT0)
                     .status()),
            "InvalidArgument");
  // Unknown attributes are ignored, whatever they hold.
  auto ignored = store_.Publish(
      "t", {.body = "b", .attributes = {{"Future", "{not json"}}}, kT0);
  ASSERT_TRUE(ignored.ok());
  EXPECT_TRUE(ignored->message.attributes.empty());
  EXPECT_EQ(Code(store_.Publish("none", {.body = "b"}, kT0).status()),
            "TopicNotExist");
}

TEST_F(TopicStoreTest, MessageCountForgetsWhatPassedTheRetention) {
  ASSERT_TRUE(store_.Create("t", {.message_retention_period = 60}, kT0).ok());
  ASSERT_TRUE(store_.Publish("t", {.body = "1"}, kT0).ok());
  ASSERT_TRUE(
      store_.Publish("t", {.body = "2"}, kT0 + std::chrono::seconds(30)).ok());
  Topic* topic = *store_.Find("t");
  EXPECT_EQ(topic->MessageCount(kT0 + std::chrono::seconds(59)), 2);
  EXPECT_EQ(topic->MessageCount(kT0 + std::chrono::seconds(60)), 1);
  EXPECT_EQ(topic->MessageCount(kT0 + std::chrono::seconds(90)), 0);
}

TEST(EndpointTest, EveryDocumentedFormParsesAndTheRestIsInvalid) {
  auto queue = ParseEndpoint("acs:mns:cn-hangzhou:1234:queues/q-1");
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(queue->kind, EndpointKind::kQueue);
  EXPECT_EQ(queue->target, "q-1");
  EXPECT_EQ(queue->account, "1234");
  // What the PHP SDK builds against http://127.0.0.1 (spec topic §0.3).
  EXPECT_EQ(ParseEndpoint("acs:mns:0:127:queues/q")->target, "q");
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1:80/n")->kind, EndpointKind::kHttp);
  EXPECT_EQ(ParseEndpoint("https://www.baidu.com/")->kind, EndpointKind::kHttp);
  EXPECT_EQ(ParseEndpoint("mail:directmail:a@b.c")->target, "a@b.c");
  EXPECT_EQ(ParseEndpoint("sms:directsms:anonymous")->kind, EndpointKind::kSms);
  EXPECT_EQ(ParseEndpoint("sms:directsms:13800000000")->target, "13800000000");
  EXPECT_EQ(ParseEndpoint("push:appkey")->kind, EndpointKind::kOther);
  for (const char* bad :
       {"", "ftp://h/", "http://", "http:///path", "http://u@h/",
        "http://h/a b", "acs:mns:r:a:topics/t", "acs:mns:r:a:queues/",
        "acs:mns:r:a:queues/bad_name", "acs:mns:queues/q", "mail:directmail:x",
        "sms:directsms:", "queue"}) {
    EXPECT_EQ(ParseEndpoint(bad).status().error_code(), "EndpointInvalid")
        << bad;
  }
}

class NotificationTest : public ::testing::Test {
 protected:
  NotificationTest() {
    message_ = {.message_id = "AC10020B0019681A95159E591D10ABCD",
                .body_md5 = "098F6BCD4621D373CADE4E832627B4F6",
                .body = "test",
                .tag = "important",
                .publish_time = kT0};
  }
  NotificationSource source_{.topic_owner = "1234567890",
                             .topic = "t1",
                             .subscriber = "1234567890",
                             .subscription = "s1"};
  PublishedMessage message_;
};

TEST_F(NotificationTest, XmlIsTheDocumentedNotificationPrettyPrinted) {
  EXPECT_EQ(NotificationBody(NotifyContentFormat::kXml, source_, message_),
            R"(<?xml version="1.0" encoding="utf-8"?>
<Notification xmlns="http://mns.aliyuncs.com/doc/v1/">
  <TopicOwner>1234567890</TopicOwner>
  <TopicName>t1</TopicName>
  <Subscriber>1234567890</Subscriber>
  <SubscriptionName>s1</SubscriptionName>
  <MessageId>AC10020B0019681A95159E591D10ABCD</MessageId>
  <Message>test</Message>
  <MessageMD5>098F6BCD4621D373CADE4E832627B4F6</MessageMD5>
  <MessageTag>important</MessageTag>
  <PublishTime>1730368640272</PublishTime>
</Notification>
)");
  message_.tag.clear();
  message_.body = "a<b&c";
  const std::string untagged =
      NotificationBody(NotifyContentFormat::kXml, source_, message_);
  EXPECT_THAT(untagged, HasSubstr("<Message>a&lt;b&amp;c</Message>"));
  EXPECT_THAT(untagged, testing::Not(HasSubstr("MessageTag")));
}

TEST_F(NotificationTest, JsonAndSimplifiedAreTheDocumentedShapes) {
  EXPECT_EQ(
      NotificationBody(NotifyContentFormat::kJson, source_, message_),
      R"({"TopicOwner":"1234567890","TopicName":"t1","Subscriber":"1234567890",)"
      R"("SubscriptionName":"s1","MessageId":"AC10020B0019681A95159E591D10ABCD",)"
      R"("Message":"test","MessageMD5":"098F6BCD4621D373CADE4E832627B4F6",)"
      R"("MessageTag":"important","PublishTime":"1730368640272"})");
  EXPECT_EQ(
      NotificationBody(NotifyContentFormat::kSimplified, source_, message_),
      "test");
}

TEST(RetryDelayTest, BackoffRetriesThreeTimesAfterTenToTwentySeconds) {
  Random random(7);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    for (int draw = 0; draw < 50; ++draw) {
      auto delay = RetryDelay(NotifyStrategy::kBackoffRetry, attempt, random);
      ASSERT_TRUE(delay);
      EXPECT_GE(*delay, std::chrono::seconds(10));
      EXPECT_LE(*delay, std::chrono::seconds(20));
    }
  }
  EXPECT_FALSE(RetryDelay(NotifyStrategy::kBackoffRetry, 4, random));
}

TEST(RetryDelayTest, ExponentialDecayTakesAboutADayIn176Retries) {
  Random random(7);
  std::vector<int64_t> delays;
  for (int attempt = 1;; ++attempt) {
    auto delay =
        RetryDelay(NotifyStrategy::kExponentialDecayRetry, attempt, random);
    if (!delay) break;
    delays.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(*delay).count());
  }
  ASSERT_EQ(delays.size(), 176u);
  EXPECT_THAT(std::vector<int64_t>(delays.begin(), delays.begin() + 10),
              ElementsAre(1, 2, 4, 8, 16, 32, 64, 128, 256, 512));
  EXPECT_EQ(std::accumulate(delays.begin(), delays.end(), int64_t{0}), 86015);
}

}  // namespace
}  // namespace mns::emulator
