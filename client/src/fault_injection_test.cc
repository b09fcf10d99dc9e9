// The client and the consumer against the emulator's fault rules: which
// calls are retried, and that the consumer comes through each fault with
// every receipt handled and deleted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>

#include "client/testing/alicom_emulator_fixture.h"
#include "emulator/http/faults.h"
#include "mns/alicom_consumer.h"

namespace mns {
namespace {

using testutil::kAlicomAccount;
using testutil::kReportQueue;

class FaultInjectionTest : public testutil::AlicomEmulatorTest {
 protected:
  void SetUp() override {
    AlicomEmulatorTest::SetUp();
    client_ = NewClient(false);
    ASSERT_TRUE(client_->CreateQueue("q").ok());
  }

  std::unique_ptr<MnsClient> NewClient(bool retry_send) {
    return std::make_unique<MnsClient>(
        ClientOptions{.endpoint = server_->address(),
                      .credentials = DefaultKeys(),
                      .read_timeout = Duration(2000),
                      .retry = {.max_attempts = 4,
                                .initial_delay = Duration(1),
                                .max_delay = Duration(5),
                                .retry_send = retry_send}});
  }

  void Inject(const std::string& rule) {
    auto parsed = emulator::ParseFaultRule(nlohmann::json::parse(rule));
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    server_->faults().Add(std::move(parsed).value());
  }

  // How many requests of `operation` reached the emulator.
  size_t Attempts(const std::string& operation) {
    return server_->journal()
        .Query({.operation = operation, .limit = 100'000})
        .size();
  }

  std::unique_ptr<MnsClient> client_;
};

TEST_F(FaultInjectionTest, IdempotentCallsAreRetriedThrough5xxAndDrops) {
  for (const char* action :
       {R"("error":"InternalError")", R"("error":"ServiceUnavailable")",
        R"("error":"QpsLimitExceeded")", R"("drop":true)",
        R"("truncate":true)"}) {
    server_->journal().Clear();
    Inject(std::string(R"({"operation":"GetQueueAttributes","times":2,)") +
           action + "}");
    auto got = client_->GetQueueAttributes("q");
    EXPECT_TRUE(got.ok()) << action << ": " << got.status();
    EXPECT_EQ(Attempts("GetQueueAttributes"), 3u) << action;
  }
}

TEST_F(FaultInjectionTest, ClientErrorsAreNotRetried) {
  Inject(R"({"operation":"GetQueueAttributes","error":"QueueNotExist"})");
  auto got = client_->GetQueueAttributes("q");
  EXPECT_EQ(got.status().error_code(), "QueueNotExist");
  EXPECT_EQ(Attempts("GetQueueAttributes"), 1u);
}

TEST_F(FaultInjectionTest, SendMessageIsRetriedOnlyOnOptIn) {
  Inject(R"({"operation":"SendMessage","error":"ServiceUnavailable"})");
  auto refused = client_->SendMessage("q", {.body = "once"});
  EXPECT_EQ(refused.status().error_code(), "ServiceUnavailable");
  EXPECT_EQ(Attempts("SendMessage"), 1u);

  server_->journal().Clear();
  Inject(R"({"operation":"SendMessage","error":"ServiceUnavailable"})");
  auto retried = NewClient(true)->SendMessage("q", {.body = "twice"});
  EXPECT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(Attempts("SendMessage"), 2u);
}

TEST_F(FaultInjectionTest, ADeleteWhoseResponseWasLostSucceeds) {
  ASSERT_TRUE(client_->SendMessage("q", {.body = "m"}).ok());
  auto got = client_->ReceiveMessage("q", 0);
  ASSERT_TRUE(got.ok());
  Inject(R"({"operation":"DeleteMessage","drop_after_commit":true})");
  EXPECT_TRUE(client_->DeleteMessage("q", got->receipt_handle).ok());
  EXPECT_EQ(Attempts("DeleteMessage"), 2u);
  // A stale handle with no lost response is still an error.
  EXPECT_EQ(client_->DeleteMessage("q", got->receipt_handle).error_code(),
            "MessageNotExist");
}

// The consumer, with a fault rule in force, handles and deletes every
// receipt; what each fault costs is a retry, a redelivery or a new token.
class ConsumerFaultTest : public FaultInjectionTest,
                          public ::testing::WithParamInterface<const char*> {};

TEST_P(ConsumerFaultTest, TheConsumerComesThrough) {
  auto mns = std::make_shared<MnsClient>(ClientOptions{
      .endpoint = server_->address(),
      .credentials = tokens_,
      .read_timeout = Duration(1000),
      .retry = {.initial_delay = Duration(1), .max_delay = Duration(5)}});
  AlicomConsumer consumer(mns, tokens_,
                          {.queue_name = kReportQueue,
                           .wait_seconds = 1,
                           .min_backoff = Duration(5),
                           .max_backoff = Duration(20)});
  std::mutex mutex;
  std::set<std::string> handled;
  consumer.OnReport([&](const SmsReport& report, const Message&) {
    std::lock_guard<std::mutex> lock(mutex);
    handled.insert(report.phone_number);
    return true;
  });
  Inject(GetParam());
  consumer.Start();
  const std::vector<std::string> phones = {"13800000001", "13800000002",
                                           "13800000003"};
  for (const std::string& phone : phones) {
    ASSERT_TRUE(alicom_
                    ->SendSms({.phone_numbers = {phone},
                               .sign_name = "s",
                               .template_code = "SMS_1"})
                    .ok());
  }
  server_->clock().Advance(std::chrono::seconds(5));
  server_->alicom().DeliverDue();
  const auto give_up =
      std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto queue_empty = [&] {
    auto info =
        server_->queues().GetQueueAttributes(kAlicomAccount, kReportQueue);
    return info.ok() && info->counts.active + info->counts.inactive == 0;
  };
  while (std::chrono::steady_clock::now() < give_up) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (handled.size() == phones.size() && queue_empty()) break;
    }
    // Redeliveries and token expiry follow the emulator's clock.
    server_->clock().Advance(std::chrono::seconds(31));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  consumer.Stop();
  EXPECT_EQ(handled.size(), phones.size());
  EXPECT_TRUE(queue_empty());
  const auto rules = server_->faults().List();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_GE(rules[0].fired, 1) << "the fault never fired";
}

INSTANTIATE_TEST_SUITE_P(
    EachAction, ConsumerFaultTest,
    ::testing::Values(
        R"({"operation":"BatchReceiveMessage","times":2,"error":"ServiceUnavailable"})",
        R"({"operation":"BatchReceiveMessage","error":"InternalError"})",
        R"({"operation":"BatchReceiveMessage","drop":true})",
        R"({"operation":"BatchReceiveMessage","truncate":true})",
        R"({"operation":"BatchReceiveMessage","delay_ms":200})",
        R"({"operation":"BatchReceiveMessage","stall":true})",
        R"({"operation":"BatchReceiveMessage","duplicate":true})",
        R"({"operation":"BatchDeleteMessage","drop_after_commit":true})",
        R"({"operation":"BatchDeleteMessage","error":"InternalError"})",
        R"({"expire_token":true})",
        R"({"protocol":"pop","operation":"QueryTokenForMnsQueue","error":"ServiceUnavailable"})"),
    [](const ::testing::TestParamInfo<const char*>& info) {
      return "Rule" + std::to_string(info.index);
    });

}  // namespace
}  // namespace mns
