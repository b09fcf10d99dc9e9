// The embedding API, used as a downstream C++ test would use it.
#include "mns/emulator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "emulator/http/version.h"
#include "emulator/testing/emulator_test_base.h"
#include "emulator/testing/mns_test_client.h"
#include "emulator/testing/pop_test_client.h"

namespace mns::emulator {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class EmbeddedEmulatorTest : public testutil::EmulatorTest {
 protected:
  testutil::Reply Call(const std::string& method, const std::string& target,
                       const std::string& body = "") {
    testutil::MnsTestClient client(emulator().port(),
                                   {.id = emulator().access_key_id(),
                                    .secret = emulator().access_key_secret()});
    return client.Call(method, target, body);
  }
};

TEST_F(EmbeddedEmulatorTest, ServesOnLoopbackWithTheDefaultKeyPair) {
  EXPECT_THAT(emulator().endpoint(), StartsWith("http://127.0.0.1:"));
  EXPECT_EQ(emulator().access_key_id(), "mns-emulator-key");
  EXPECT_EQ(emulator().account_id(), "1234567890123456");
  EXPECT_EQ(Call("PUT", "/queues/orders").status, 201);
  EXPECT_EQ(Call("POST", "/queues/orders/messages",
                 "<Message><MessageBody>m</MessageBody></Message>")
                .status,
            201);
}

TEST_F(EmbeddedEmulatorTest, EachTestStartsEmpty) {
  ASSERT_EQ(Call("PUT", "/queues/leftover").status, 201);
  SetUp();  // what the fixture does before the next test
  EXPECT_EQ(Call("GET", "/queues/leftover").ErrorCode(), "QueueNotExist");
}

TEST_F(EmbeddedEmulatorTest, RouteAnswersWithNoSocket) {
  HttpResponse response =
      emulator().Route({.method = "GET", .target = "/_emulator/health"});
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            R"({"status":"ok","version":")" + EmulatorVersion() + "\"}");
}

TEST_F(EmbeddedEmulatorTest, ControlsAreCppCalls) {
  const TimePoint before = emulator().clock().Now();
  emulator().AdvanceClock(std::chrono::hours(1));
  EXPECT_EQ(emulator().clock().Now() - before, std::chrono::hours(1));

  emulator().SetOutcomeRules(
      {{.phone = "13800000000", .delivered = false, .err_code = "MK:0001"}});
  testutil::PopTestClient pop(emulator().port());
  auto sent = pop.Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                   {"SignName", "s"},
                                   {"TemplateCode", "SMS_1"}});
  ASSERT_EQ(sent.json["Code"], "OK") << sent.body;
  ASSERT_EQ(emulator().Outbox().size(), 1u);
  emulator().AdvanceClock(std::chrono::seconds(2));
  // The rule set in C++ decided the outcome, settled when AdvanceClock
  // returned.
  EXPECT_EQ(emulator().Outbox()[0].err_code, "MK:0001");
  auto reply =
      emulator().InjectSmsUp({.phone_number = "13800000000", .content = "TD"});
  ASSERT_TRUE(reply.ok()) << reply.status().message();
  EXPECT_THAT(*reply, HasSubstr("-SmsUp"));
  emulator().ClearOutbox();
  EXPECT_TRUE(emulator().Outbox().empty());
}

// The README's recipe: from the journal, a client deleted everything it
// received and never short-polled.
TEST_F(EmbeddedEmulatorTest, TheJournalShowsWhatAClientDid) {
  ASSERT_TRUE(emulator()
                  .AddFault(R"({"operation":"ReceiveMessage","times":1,
                                "error":"ServiceUnavailable"})")
                  .ok());
  EXPECT_FALSE(emulator().AddFault(R"({"operation":"Nope","drop":true})").ok());
  ASSERT_EQ(Call("PUT", "/queues/q").status, 201);
  for (const char* body : {"a", "b"}) {
    Call("POST", "/queues/q/messages",
         std::string("<Message><MessageBody>") + body +
             "</MessageBody></Message>");
  }
  // A well-behaved consumer: long polls, retries the injected 503, deletes.
  for (int handled = 0; handled < 2;) {
    testutil::Reply got = Call("GET", "/queues/q/messages?waitseconds=1");
    if (got.status != 200) continue;
    Call("DELETE",
         "/queues/q/messages?ReceiptHandle=" + got.Xml("ReceiptHandle"));
    ++handled;
  }

  bool short_polled = false;
  for (const JournalEntry& e :
       emulator().Requests({.operation = "ReceiveMessage", .queue = "q"})) {
    short_polled = short_polled || e.facts.wait_seconds.value_or(0) == 0;
  }
  const size_t received =
      emulator()
          .Requests({.operation = "ReceiveMessage", .status = 200})
          .size();
  const size_t deleted =
      emulator().Requests({.operation = "DeleteMessage", .status = 204}).size();
  EXPECT_EQ(received, 2u);
  EXPECT_EQ(deleted, received);
  EXPECT_FALSE(short_polled);
  // And the check fires on a client that does short-poll.
  Call("GET", "/queues/q/messages");
  EXPECT_FALSE(emulator()
                   .Requests({.operation = "ReceiveMessage", .limit = 1000})
                   .back()
                   .facts.wait_seconds.has_value());
  EXPECT_EQ(emulator().faults().List().front().fired, 1);
  EXPECT_EQ(emulator().Requests({.code = "ServiceUnavailable"}).size(), 1u);
}

TEST_F(EmbeddedEmulatorTest, AnAdvanceRetriesTopicDeliveriesBeforeItReturns) {
  ASSERT_EQ(Call("PUT", "/topics/news").status, 201);
  ASSERT_EQ(Call("PUT", "/topics/news/subscriptions/s",
                 "<Subscription><Endpoint>acs:mns:r:1:queues/late</Endpoint>"
                 "<NotifyContentFormat>SIMPLIFIED</NotifyContentFormat>"
                 "</Subscription>")
                .status,
            201);
  ASSERT_EQ(Call("POST", "/topics/news/messages",
                 "<Message><MessageBody>hi</MessageBody></Message>")
                .status,
            201);
  ASSERT_EQ(emulator().Notifications().at(0).attempts.at(0).result,
            "QueueNotExist");
  ASSERT_EQ(Call("PUT", "/queues/late").status, 201);
  emulator().AdvanceClock(std::chrono::seconds(20));
  const Delivery delivered = emulator().Notifications().at(0);
  EXPECT_EQ(delivered.state, DeliveryState::kDelivered);
  EXPECT_EQ(delivered.attempts.size(), 2u);
  EXPECT_THAT(Call("GET", "/queues/late/messages").body, HasSubstr(">hi<"));
}

TEST(EmulatorStartTest, AnOccupiedPortIsAnError) {
  auto first = Emulator::Start();
  ASSERT_TRUE(first.ok());
  EmulatorConfig config = EmbeddedConfig();
  config.port = (*first)->port();
  EXPECT_FALSE(Emulator::Start(config).ok());
}

}  // namespace
}  // namespace mns::emulator
