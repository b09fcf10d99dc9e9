// AlicomConsumer against the in-process emulator: real long polls, real
// deletes, the emulator's clock for receipts, redelivery and token expiry.
#include "mns/alicom_consumer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "client/testing/alicom_emulator_fixture.h"
#include "mns/common/crypto.h"
#include "mns/reconciler.h"

namespace mns {
namespace {

using testutil::kAlicomAccount;
using testutil::kReportQueue;

class AlicomConsumerTest : public testutil::AlicomEmulatorTest {
 protected:
  std::unique_ptr<AlicomConsumer> Consumer(int64_t poison_after = 5) {
    return std::make_unique<AlicomConsumer>(
        mns_, tokens_,
        AlicomConsumer::Options{.queue_name = kReportQueue,
                                .wait_seconds = 1,
                                .poison_after_dequeues = poison_after,
                                .min_backoff = Duration(10),
                                .max_backoff = Duration(100)});
  }

  void SendTo(const std::string& phone) {
    ASSERT_TRUE(alicom_
                    ->SendSms({.phone_numbers = {phone},
                               .sign_name = "阿里云",
                               .template_code = "SMS_1"})
                    .ok());
  }

  // Waits for the workers to get there; gives up after 20 s of real time
  // with what it saw, rather than hanging the suite.
  template <typename Predicate>
  void WaitFor(Predicate done, const AlicomConsumer* consumer = nullptr) {
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > give_up) {
        auto info =
            server_->queues().GetQueueAttributes(kAlicomAccount, kReportQueue);
        std::string stats;
        if (consumer != nullptr) {
          auto s = consumer->stats();
          stats = " received=" + std::to_string(s.received) +
                  " handled=" + std::to_string(s.handled) +
                  " deleted=" + std::to_string(s.deleted) +
                  " errors=" + std::to_string(s.errors);
        }
        FAIL() << "gave up waiting: queue active=" << info->counts.active
               << " inactive=" << info->counts.inactive
               << " delayed=" << info->counts.delayed << stats
               << " outbox=" << server_->alicom().Outbox({}).size();
      }
      std::this_thread::yield();
    }
  }

  int64_t QueueSize() {
    auto info =
        server_->queues().GetQueueAttributes(kAlicomAccount, kReportQueue);
    return info->counts.active + info->counts.inactive + info->counts.delayed;
  }
};

TEST_F(AlicomConsumerTest, HandlesEveryReportAndDeletesWhatItAccepted) {
  std::mutex mutex;
  std::vector<SmsReport> seen;
  auto consumer = Consumer();
  consumer->OnReport([&](const SmsReport& r, const Message&) {
    std::lock_guard<std::mutex> lock(mutex);
    seen.push_back(r);
    return true;
  });
  consumer->Start();
  for (auto phone : {"13800000001", "13800000002", "13800000003"})
    SendTo(phone);
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return consumer->stats().deleted == 3; });
  consumer->Stop();
  auto stats = consumer->stats();
  EXPECT_EQ(stats.received, 3);
  EXPECT_EQ(stats.handled, 3);
  EXPECT_EQ(stats.failed, 0);
  EXPECT_EQ(QueueSize(), 0);
  EXPECT_TRUE(seen[0].success);
}

TEST_F(AlicomConsumerTest, RejectedReportsComeBackThenGoToPoison) {
  std::atomic<int> poisoned{0};
  auto consumer = Consumer(/*poison_after=*/2);
  consumer->OnReport([&](const SmsReport&, const Message&) { return false; });
  consumer->OnPoison([&](const Message& m) {
    EXPECT_EQ(m.dequeue_count, 3);
    ++poisoned;
  });
  consumer->Start();
  SendTo("13800000000");
  server_->clock().Advance(Duration(2000));
  // Received, rejected, redelivered after each 30 s visibility timeout.
  for (int delivery = 1; delivery <= 2; ++delivery) {
    WaitFor([&] { return consumer->stats().failed == delivery; });
    server_->clock().Advance(Duration(30'000));
  }
  WaitFor(
      [&] { return poisoned.load() == 1 && consumer->stats().deleted == 1; });
  consumer->Stop();
  EXPECT_EQ(QueueSize(), 0);
}

TEST_F(AlicomConsumerTest, AMalformedBodyIsReportedAndTheLoopGoesOn) {
  std::atomic<int> malformed{0};
  std::atomic<int> handled{0};
  auto consumer = Consumer();
  consumer->OnReport(
      [&](const SmsReport&, const Message&) { return ++handled > 0; });
  consumer->OnMalformed([&](const Message& m, const Status& why) {
    EXPECT_EQ(m.body, "not json");
    EXPECT_EQ(why.code(), StatusCode::kDataLoss);
    ++malformed;
  });
  ASSERT_TRUE(server_->queues()
                  .SendMessage(kAlicomAccount, kReportQueue,
                               {.body = Base64Encode("not json")})
                  .ok());
  consumer->Start();
  SendTo("13800000000");
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return malformed.load() == 1 && handled.load() == 1; });
  consumer->Stop();
}

TEST_F(AlicomConsumerTest, SurvivesTokenExpiry) {
  std::mutex mutex;
  std::set<std::string> phones;
  auto handled = [&](const std::string& phone) {
    std::lock_guard<std::mutex> lock(mutex);
    return phones.count(phone) > 0;
  };
  auto consumer = Consumer();
  consumer->OnReport([&](const SmsReport& r, const Message&) {
    std::lock_guard<std::mutex> lock(mutex);
    phones.insert(r.phone_number);
    return true;
  });
  consumer->Start();
  SendTo("13800000000");
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return handled("13800000000"); }, consumer.get());
  // Well past the token's hour: the provider must fetch a new one. (The
  // first receipt may come again if its delete raced the jump: receipts
  // are at least once.)
  server_->clock().Advance(std::chrono::minutes(90));
  SendTo("13800000001");
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return handled("13800000001"); }, consumer.get());
  consumer->Stop();
}

TEST_F(AlicomConsumerTest, StopCancelsALongPollAtOnce) {
  AlicomConsumer consumer(
      mns_, tokens_,
      AlicomConsumer::Options{.queue_name = kReportQueue, .wait_seconds = 30});
  consumer.OnReport([](const SmsReport&, const Message&) { return true; });
  consumer.Start();
  WaitFor([&] { return server_->queues().ParkedReceives() == 1; });
  const auto before = std::chrono::steady_clock::now();
  consumer.Stop();
  // Without cancellation Stop() would wait out the 30 s poll; the emulator's
  // clock is frozen here, so the poll could never end on its own.
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  EXPECT_EQ(consumer.stats().errors, 0);
}

// The emulator goes away and comes back empty on the same port: the pooled
// connections are dead and the old token is unknown. The consumer backs off,
// fetches a new token and goes on with the new instance's receipts.
TEST_F(AlicomConsumerTest, SurvivesAnEmulatorRestart) {
  const int port = server_->port();
  // Clients that outlive the first instance, on the real clock.
  auto real_clock = std::make_shared<SystemClock>();
  auto alicom = std::make_shared<AlicomClient>(ClientOptions{
      .endpoint = server_->address(), .credentials = DefaultKeys()});
  auto tokens = std::make_shared<AlicomTokenProvider>(
      alicom, "SmsReport", AlicomTokenProvider::Options{.clock = real_clock});
  auto mns = std::make_shared<MnsClient>(
      ClientOptions{.endpoint = server_->address(), .credentials = tokens});
  std::mutex mutex;
  std::set<std::string> phones;
  auto handled = [&](const std::string& phone) {
    std::lock_guard<std::mutex> lock(mutex);
    return phones.count(phone) > 0;
  };
  AlicomConsumer consumer(mns, tokens,
                          AlicomConsumer::Options{.queue_name = kReportQueue,
                                                  .wait_seconds = 1,
                                                  .min_backoff = Duration(10),
                                                  .max_backoff = Duration(200),
                                                  .clock = real_clock});
  consumer.OnReport([&](const SmsReport& r, const Message&) {
    std::lock_guard<std::mutex> lock(mutex);
    phones.insert(r.phone_number);
    return true;
  });
  consumer.Start();
  SendTo("13800000000");
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return handled("13800000000"); }, &consumer);

  server_.reset();  // down: polls fail until it is back
  const int64_t errors_before = consumer.stats().errors;
  WaitFor([&] { return consumer.stats().errors > errors_before; });
  emulator::EmulatorConfig config = emulator::DefaultConfig();
  config.port = port;
  auto restarted = emulator::Server::Start(config);
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  server_ = std::move(restarted).value();
  clock_.reset();  // the fixture's provider watched the old instance's clock
  tokens_.reset();

  SendTo("13800000001");
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return handled("13800000001"); }, &consumer);
  consumer.Stop();
}

// The whole compensation loop: one number is reported twice, one never. The
// consumer feeds receipts to the reconciler, which reports each number once
// and resolves the silent one through QuerySendDetails.
TEST_F(AlicomConsumerTest, TheReconcilerFillsInAReceiptThatNeverCame) {
  server_->alicom().SetRules({{.phone = "13900000001", .reports = 2},
                              {.phone = "13900000002",
                               .delivered = false,
                               .err_code = "MK:0001",
                               .reports = 0}});
  ReceiptReconciler reconciler(alicom_,
                               ReceiptReconciler::Options{.clock = clock_});
  std::mutex mutex;
  std::vector<ReceiptReconciler::Outcome> outcomes;
  reconciler.OnOutcome([&](const ReceiptReconciler::Outcome& outcome) {
    std::lock_guard<std::mutex> lock(mutex);
    outcomes.push_back(outcome);
  });
  std::atomic<int> duplicates{0};
  auto consumer = Consumer();
  consumer->OnReport([&](const SmsReport& report, const Message&) {
    if (!reconciler.OnReceipt(report)) ++duplicates;
    return true;  // duplicates are deleted too
  });
  consumer->Start();
  for (auto phone : {"13900000001", "13900000002"}) {
    auto sent = alicom_->SendSms({.phone_numbers = {phone},
                                  .sign_name = "阿里云",
                                  .template_code = "T"});
    ASSERT_TRUE(sent.ok()) << sent.status();
    reconciler.Track(sent->biz_id, {phone}, clock_->Now());
  }
  server_->clock().Advance(Duration(2000));
  WaitFor([&] { return consumer->stats().deleted == 2; }, consumer.get());
  EXPECT_EQ(duplicates.load(), 1);
  EXPECT_EQ(reconciler.pending(), 1u);

  server_->clock().Advance(std::chrono::minutes(10));
  auto pass = reconciler.ReconcileDue();
  EXPECT_EQ(pass.queried, 1);
  EXPECT_EQ(pass.resolved, 1) << pass.last_error;
  consumer->Stop();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].phone_number, "13900000001");
  EXPECT_EQ(outcomes[0].resolved_by, ReceiptReconciler::ResolvedBy::kReceipt);
  EXPECT_EQ(outcomes[1].phone_number, "13900000002");
  EXPECT_EQ(outcomes[1].status, SendStatus::kFailed);
  EXPECT_EQ(outcomes[1].err_code, "MK:0001");
  EXPECT_EQ(outcomes[1].resolved_by, ReceiptReconciler::ResolvedBy::kQuery);
}

}  // namespace
}  // namespace mns
