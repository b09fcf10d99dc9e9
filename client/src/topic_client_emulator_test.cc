// TopicClient against the in-process emulator: every topic and
// subscription operation over real HTTP, and NotificationVerifier on the
// notifications the emulator pushes to a real HTTP server on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "client/testing/alicom_emulator_fixture.h"
#include "mns/common/crypto.h"
#include "mns/common/strings.h"
#include "mns/common/testing/eventually.h"
#include "mns/common/testing/http_receiver.h"
#include "mns/mns_client.h"
#include "mns/notification_verifier.h"
#include "mns/topic_client.h"

namespace mns {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class TopicClientEmulatorTest : public testutil::AlicomEmulatorTest {
 protected:
  void SetUp() override {
    AlicomEmulatorTest::SetUp();
    ClientOptions options{.endpoint = server_->address(),
                          .credentials = DefaultKeys()};
    topics_ = std::make_unique<TopicClient>(options);
    options.base64_bodies = false;
    queues_ = std::make_unique<MnsClient>(options);
  }
  std::unique_ptr<TopicClient> topics_;
  std::unique_ptr<MnsClient> queues_;
};

TEST_F(TopicClientEmulatorTest, TopicLifecycle) {
  EXPECT_EQ(*topics_->CreateTopic("t", {.maximum_message_size = 2048}), true);
  EXPECT_EQ(*topics_->CreateTopic("t", {.maximum_message_size = 2048}), false);
  EXPECT_EQ(topics_->CreateTopic("t").status().error_code(),
            "TopicAlreadyExist");
  ASSERT_TRUE(topics_->SetTopicAttributes("t", {.logging_enabled = true}).ok());
  auto info = topics_->GetTopicAttributes("t");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name, "t");
  EXPECT_EQ(info->maximum_message_size, 2048);
  EXPECT_EQ(info->message_retention_period, 86400);
  EXPECT_TRUE(info->logging_enabled);
  EXPECT_GT(ToUnixMillis(info->create_time), 0);
  for (const char* name : {"t-a", "t-b"}) {
    ASSERT_TRUE(topics_->CreateTopic(name).ok());
  }
  auto page = topics_->ListTopics("t-", "", 1);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(page->topic_names, ElementsAre("t-a"));
  auto rest = topics_->ListTopics("t-", page->next_marker, 1);
  EXPECT_THAT(rest->topic_names, ElementsAre("t-b"));
  EXPECT_EQ(rest->next_marker, "");
  EXPECT_TRUE(topics_->DeleteTopic("t").ok());
  auto gone = topics_->GetTopicAttributes("t");
  EXPECT_EQ(gone.status().error_code(), "TopicNotExist");
  EXPECT_FALSE(gone.status().request_id().empty());
}

TEST_F(TopicClientEmulatorTest, SubscriptionsAndAQueueRoundTrip) {
  ASSERT_TRUE(topics_->CreateTopic("t").ok());
  ASSERT_TRUE(queues_->CreateQueue("inbox").ok());
  const std::string endpoint =
      TopicClient::QueueEndpoint("cn-hangzhou", "1234567890123456", "inbox");
  EXPECT_EQ(*topics_->Subscribe(
                "t", "s",
                {.endpoint = endpoint,
                 .notify_content_format = NotifyContentFormat::kSimplified,
                 .filter_tag = "vip"}),
            true);
  EXPECT_EQ(topics_->Subscribe("t", "s", {.endpoint = endpoint})
                .status()
                .error_code(),
            "SubscriptionAlreadyExist");
  ASSERT_TRUE(
      topics_
          ->SetSubscriptionAttributes(
              "t", "s",
              {.notify_strategy = NotifyStrategy::kExponentialDecayRetry})
          .ok());
  auto info = topics_->GetSubscriptionAttributes("t", "s");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->endpoint, endpoint);
  EXPECT_EQ(info->notify_strategy, NotifyStrategy::kExponentialDecayRetry);
  EXPECT_EQ(info->notify_content_format, NotifyContentFormat::kSimplified);
  EXPECT_EQ(info->filter_tag, "vip");
  EXPECT_EQ(info->topic_owner, "1234567890123456");
  auto list = topics_->ListSubscriptions("t");
  EXPECT_THAT(list->subscription_names, ElementsAre("s"));

  // Only the tagged message gets through the filter.
  ASSERT_TRUE(topics_->PublishMessage("t", {.body = "plain"}).ok());
  auto published =
      topics_->PublishMessage("t", {.body = "hello", .tag = "vip"});
  ASSERT_TRUE(published.ok()) << published.status();
  EXPECT_EQ(published->body_md5, HexUpper(Md5("hello")));
  auto received = queues_->ReceiveMessage("inbox", 0);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, "hello");
  EXPECT_EQ(queues_->ReceiveMessage("inbox", 0).status().error_code(),
            "MessageNotExist");

  EXPECT_TRUE(topics_->Unsubscribe("t", "s").ok());
  EXPECT_TRUE(topics_->Unsubscribe("t", "s").ok());  // idempotent
  EXPECT_EQ(topics_->GetSubscriptionAttributes("t", "s").status().error_code(),
            "SubscriptionNotExist");
}

TEST_F(TopicClientEmulatorTest, EndpointHelpersSpellTheDocumentedForms) {
  EXPECT_EQ(TopicClient::QueueEndpoint("cn-hangzhou", "123", "q"),
            "acs:mns:cn-hangzhou:123:queues/q");
  EXPECT_EQ(TopicClient::MailEndpoint("a@b.c"), "mail:directmail:a@b.c");
  EXPECT_EQ(TopicClient::SmsEndpoint(), "sms:directsms:anonymous");
  EXPECT_EQ(TopicClient::SmsEndpoint("138"), "sms:directsms:138");
}

NotificationHeaders HeadersOf(const httplib::Request& r) {
  return NotificationHeaders(r.headers.begin(), r.headers.end());
}

TEST_F(TopicClientEmulatorTest, TheVerifierAcceptsTheEmulatorsPushesOnly) {
  testutil::HttpReceiver receiver;
  ASSERT_TRUE(topics_->CreateTopic("t").ok());
  const std::pair<const char*, NotifyContentFormat> formats[] = {
      {"xml", NotifyContentFormat::kXml},
      {"json", NotifyContentFormat::kJson},
      {"plain", NotifyContentFormat::kSimplified}};
  for (const auto& [name, format] : formats) {
    ASSERT_TRUE(
        topics_
            ->Subscribe("t", name,
                        {.endpoint = receiver.Url(std::string("/") + name),
                         .notify_content_format = format})
            .ok());
  }
  auto published =
      topics_->PublishMessage("t", {.body = "hi <there>", .tag = "x"});
  ASSERT_TRUE(published.ok());
  ASSERT_TRUE(
      testutil::Eventually([&] { return receiver.Requests().size() == 3; },
                           std::chrono::seconds(20), Duration(10)));

  NotificationVerifier verifier(
      {.trusted_certificate_prefixes = {server_->address() + "/_emulator/"}});
  for (const httplib::Request& r : receiver.Requests()) {
    const NotificationHeaders headers = HeadersOf(r);
    EXPECT_TRUE(verifier.Verify("POST", r.target, headers, r.body).ok())
        << r.target;
    auto decoded = NotificationVerifier::Decode(headers, r.body);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->message, "hi <there>") << r.target;
    EXPECT_EQ(decoded->message_id, published->message_id);
    EXPECT_EQ(decoded->message_tag, "x");
    EXPECT_EQ(decoded->topic_name, "t");
    EXPECT_EQ(decoded->subscription_name, r.target.substr(1));
    EXPECT_GT(ToUnixMillis(decoded->publish_time), 0);
    // Tampering with the body, the target or a signed header fails.
    EXPECT_EQ(verifier.Verify("POST", r.target, headers, r.body + " ").code(),
              StatusCode::kUnauthenticated);
    EXPECT_FALSE(verifier.Verify("POST", r.target + "x", headers, r.body).ok());
    NotificationHeaders forged = headers;
    for (auto& [key, value] : forged) {
      if (EqualsIgnoreCase(key, "x-mns-request-id")) value = "0";
    }
    EXPECT_FALSE(verifier.Verify("POST", r.target, forged, r.body).ok());
  }
  // A verifier that trusts only Alibaba Cloud's certificates refuses the
  // emulator's without fetching it.
  int fetched = 0;
  NotificationVerifier strict({.fetch = [&](const std::string&) {
    ++fetched;
    return StatusOr<std::string>(std::string());
  }});
  const httplib::Request first = receiver.Requests().front();
  Status refused =
      strict.Verify("POST", first.target, HeadersOf(first), first.body);
  EXPECT_EQ(refused.code(), StatusCode::kUnauthenticated);
  EXPECT_THAT(refused.message(), HasSubstr("is not trusted"));
  EXPECT_EQ(fetched, 0);
}

TEST(NotificationDecodeTest, BodiesThatAreNotNotificationsAreRefused) {
  EXPECT_FALSE(NotificationVerifier::Decode(
                   {{"Content-Type", "text/xml;charset=utf-8"}}, "<Other/>")
                   .ok());
  EXPECT_FALSE(NotificationVerifier::Decode(
                   {{"Content-Type", "application/json"}}, "[1]")
                   .ok());
  EXPECT_FALSE(
      NotificationVerifier::Decode({{"Content-Type", "image/png"}}, "").ok());
  EXPECT_EQ(NotificationVerifier()
                .Verify("POST", "/", {{"Content-Type", "text/plain"}}, "x")
                .code(),
            StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace mns
