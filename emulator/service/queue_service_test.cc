#include "emulator/service/queue_service.h"

#include <gtest/gtest.h>

#include <future>
#include <thread>

namespace mns::emulator {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);
constexpr char kAccount[] = "1234567890";

using ReceiveResult = StatusOr<std::vector<MessageView>>;

class QueueServiceTest : public ::testing::Test {
 protected:
  QueueServiceTest()
      : QueueServiceTest(std::make_unique<SimulatedClock>(kT0)) {}
  explicit QueueServiceTest(std::unique_ptr<SimulatedClock> clock)
      : clock_(std::move(clock)),
        random_(3),
        service_(clock_.get(), &random_, {}) {
    service_.AddAccount(kAccount);
    EXPECT_TRUE(service_.CreateQueue(kAccount, "q", {}).ok());
  }

  std::future<ReceiveResult> ReceiveAsync(int64_t wait_seconds, int max = 1) {
    size_t parked = service_.ParkedReceives();
    auto future = std::async(std::launch::async, [=, this] {
      return service_.ReceiveMessage(kAccount, "q", max, wait_seconds);
    });
    // Spin (not sleep) until the receive is parked.
    while (service_.ParkedReceives() == parked) std::this_thread::yield();
    return future;
  }

  SendResult Send(const std::string& body, int64_t delay = 0) {
    return *service_.SendMessage(kAccount, "q",
                                 {.body = body, .delay_seconds = delay});
  }

  std::unique_ptr<SimulatedClock> clock_;
  Random random_;
  QueueService service_;
};

TEST_F(QueueServiceTest, ReceiveReturnsAtOnceWhenAMessageIsActive) {
  Send("a");
  auto got = service_.ReceiveMessage(kAccount, "q", 1, 30);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)[0].body, "a");
}

TEST_F(QueueServiceTest, EmptyWaitEndsWithMessageNotExistAtItsDeadline) {
  auto future = ReceiveAsync(10);
  clock_->Advance(Duration(9999));
  EXPECT_EQ(future.wait_for(std::chrono::milliseconds(0)),
            std::future_status::timeout);
  clock_->Advance(Duration(1));
  EXPECT_EQ(future.get().status().error_code(), "MessageNotExist");
  EXPECT_EQ(service_.ParkedReceives(), 0u);
}

TEST_F(QueueServiceTest, NeverWaitSaysWhenTheReceiveWouldPark) {
  auto empty =
      service_.ReceiveMessage(kAccount, "q", 1, 5, /*never_wait=*/true);
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().error_code(), QueueService::kWouldWait);
  EXPECT_EQ(service_.ParkedReceives(), 0u);
  // A zero wait would not park: the ordinary answer.
  EXPECT_EQ(
      service_.ReceiveMessage(kAccount, "q", 1, 0, true).status().error_code(),
      "MessageNotExist");
  // Range errors still come first.
  EXPECT_EQ(
      service_.ReceiveMessage(kAccount, "q", 1, 31, true).status().error_code(),
      "InvalidArgument");
}

TEST_F(QueueServiceTest, ZeroWaitNeverParks) {
  EXPECT_EQ(service_.ReceiveMessage(kAccount, "q", 1, 0).status().error_code(),
            "MessageNotExist");
}

TEST_F(QueueServiceTest, QueuePollingWaitSecondsIsTheDefaultWait) {
  ASSERT_TRUE(
      service_.SetQueueAttributes(kAccount, "q", {.polling_wait_seconds = 5})
          .ok());
  size_t parked = service_.ParkedReceives();
  auto future = std::async(std::launch::async, [this] {
    return service_.ReceiveMessage(kAccount, "q", 1, std::nullopt);
  });
  while (service_.ParkedReceives() == parked) std::this_thread::yield();
  clock_->Advance(Duration(5000));
  EXPECT_EQ(future.get().status().error_code(), "MessageNotExist");
}

TEST_F(QueueServiceTest, SendWakesAParkedReceive) {
  auto future = ReceiveAsync(30);
  Send("hello");
  auto got = future.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].body, "hello");
}

TEST_F(QueueServiceTest, EndOfDelayWakesAParkedReceive) {
  Send("later", 5);
  auto future = ReceiveAsync(30);
  clock_->Advance(Duration(5000));
  auto got = future.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].body, "later");
}

TEST_F(QueueServiceTest, EndOfVisibilityTimeoutWakesAParkedReceive) {
  Send("again");
  ASSERT_TRUE(service_.ReceiveMessage(kAccount, "q", 1, 0).ok());
  auto future = ReceiveAsync(30);
  clock_->Advance(Duration(30'000));
  auto got = future.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].dequeue_count, 2);
}

TEST_F(QueueServiceTest, ChangeVisibilityWakesAParkedReceive) {
  // The message would come back at +43200 s; the change brings it to +1 s.
  ASSERT_TRUE(
      service_.SetQueueAttributes(kAccount, "q", {.visibility_timeout = 43200})
          .ok());
  Send("changed");
  auto handle =
      (*service_.ReceiveMessage(kAccount, "q", 1, 0))[0].receipt_handle;
  auto future = ReceiveAsync(30);
  ASSERT_TRUE(service_.ChangeMessageVisibility(kAccount, "q", handle, 1).ok());
  clock_->Advance(Duration(1000));
  auto got = future.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].body, "changed");
}

TEST_F(QueueServiceTest, EachMessageWakesOneOfManyWaiters) {
  ASSERT_TRUE(
      service_.SetQueueAttributes(kAccount, "q", {.visibility_timeout = 43200})
          .ok());
  std::vector<std::future<ReceiveResult>> waiters;
  for (int i = 0; i < 5; ++i) waiters.push_back(ReceiveAsync(30));
  for (int i = 0; i < 3; ++i) Send("m" + std::to_string(i));
  // Three receives leave with a message each; two stay parked.
  while (service_.ParkedReceives() > 2) std::this_thread::yield();
  clock_->Advance(Duration(30'000));
  int with_message = 0;
  for (auto& w : waiters) with_message += w.get().ok() ? 1 : 0;
  EXPECT_EQ(with_message, 3);
}

TEST_F(QueueServiceTest, ShutdownEndsEveryParkedReceive) {
  auto a = ReceiveAsync(30);
  auto b = ReceiveAsync(30);
  service_.Shutdown();
  EXPECT_EQ(a.get().status().error_code(), "MessageNotExist");
  EXPECT_EQ(b.get().status().error_code(), "MessageNotExist");
}

TEST_F(QueueServiceTest, DeletingTheQueueEndsItsParkedReceives) {
  auto a = ReceiveAsync(30);
  EXPECT_TRUE(service_.DeleteQueue(kAccount, "q"));
  EXPECT_EQ(a.get().status().error_code(), "QueueNotExist");
}

TEST_F(QueueServiceTest, BatchSendEnqueuesValidEntriesAndReportsTheRest) {
  std::vector<SendRequest> batch = {
      {.body = "ok"}, {.body = ""}, {.body = "ok2", .priority = 99}};
  auto result = service_.BatchSendMessage(kAccount, "q", batch);
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->size(), 3u);
  EXPECT_TRUE((*result)[0].ok());
  EXPECT_EQ((*result)[1].status().error_code(), "InvalidArgument");
  EXPECT_EQ((*result)[2].status().error_code(), "InvalidArgument");
  EXPECT_EQ(service_.GetQueueAttributes(kAccount, "q")->counts.active, 1);
}

TEST_F(QueueServiceTest, BatchLimitsAreWholeRequestErrors) {
  std::vector<SendRequest> seventeen(17, SendRequest{.body = "x"});
  EXPECT_EQ(
      service_.BatchSendMessage(kAccount, "q", seventeen).status().error_code(),
      "InvalidArgument");
  std::vector<SendRequest> big(2, SendRequest{.body = std::string(40000, 'x')});
  EXPECT_FALSE(service_.BatchSendMessage(kAccount, "q", big).ok());
  EXPECT_FALSE(service_.ReceiveMessage(kAccount, "q", 17, 0).ok());
  EXPECT_FALSE(service_.ReceiveMessage(kAccount, "q", 1, 31).ok());
}

TEST_F(QueueServiceTest, BatchDeleteReportsOnlyTheFailedHandles) {
  Send("a");
  Send("b");
  auto got = *service_.ReceiveMessage(kAccount, "q", 16, 0);
  ASSERT_EQ(got.size(), 2u);
  ASSERT_TRUE(
      service_.DeleteMessage(kAccount, "q", got[1].receipt_handle).ok());
  auto failures = service_.BatchDeleteMessage(
      kAccount, "q", {got[0].receipt_handle, got[1].receipt_handle});
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].receipt_handle, got[1].receipt_handle);
  EXPECT_EQ((*failures)[0].error.error_code(), "MessageNotExist");
  EXPECT_EQ(service_.GetQueueAttributes(kAccount, "q")->counts.inactive, 0);
}

TEST_F(QueueServiceTest, AccountsNeverSeeEachOthersQueues) {
  service_.AddAccount("other");
  EXPECT_EQ(service_.GetQueueAttributes("other", "q").status().error_code(),
            "QueueNotExist");
  EXPECT_EQ(service_.ListQueues("other", "", "", 1000)->queues.size(), 0u);
  EXPECT_EQ(service_.GetQueueAttributes("unknown", "q").status().error_code(),
            "AccessDenied");
}

TEST_F(QueueServiceTest, ResetDropsQueues) {
  Send("a");
  service_.Reset();
  EXPECT_EQ(service_.GetQueueAttributes(kAccount, "q").status().error_code(),
            "QueueNotExist");
}

// The same wake-ups with time running for real: they come from the waiter's
// own deadline on the activation time, not from a clock jump.
class RunningClockTest : public QueueServiceTest {
 protected:
  RunningClockTest() : QueueServiceTest(SimulatedClock::Running()) {}
};

TEST_F(RunningClockTest, DelayEndWakesWithoutAnyClockJump) {
  Send("later", 1);
  auto got = service_.ReceiveMessage(kAccount, "q", 1, 30);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_GE(clock_->Now(), FromUnixMillis((*got)[0].enqueue_time + 1000));
}

TEST_F(RunningClockTest, ChangeVisibilityWakesWithoutAnyClockJump) {
  ASSERT_TRUE(
      service_.SetQueueAttributes(kAccount, "q", {.visibility_timeout = 43200})
          .ok());
  Send("changed");
  auto handle =
      (*service_.ReceiveMessage(kAccount, "q", 1, 0))[0].receipt_handle;
  auto future = ReceiveAsync(30);
  ASSERT_TRUE(service_.ChangeMessageVisibility(kAccount, "q", handle, 1).ok());
  auto got = future.get();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)[0].dequeue_count, 2);
}

}  // namespace
}  // namespace mns::emulator
