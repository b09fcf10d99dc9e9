// AlicomConsumer over a fake transport on a SimulatedClock: what it deletes
// when handlers fail, throw or meet a poison message, and that errors back
// off on the clock instead of looping hot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "client/src/transport.h"
#include "mns/alicom_consumer.h"
#include "mns/common/crypto.h"
#include "mns/common/testing/eventually.h"

namespace mns {
namespace {

using internal::HttpCall;
using internal::HttpReply;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kQueue[] = "Alicom-Queue-1-SmsReport";

std::string MessageXml(const std::string& handle, const std::string& json,
                       int dequeue_count) {
  return "<Message><MessageId>" + handle +
         "</MessageId><MessageBodyMD5>x</MessageBodyMD5><MessageBody>" +
         Base64Encode(json) + "</MessageBody><ReceiptHandle>" + handle +
         "</ReceiptHandle><EnqueueTime>1</EnqueueTime><FirstDequeueTime>1"
         "</FirstDequeueTime><NextVisibleTime>2</NextVisibleTime>"
         "<DequeueCount>" +
         std::to_string(dequeue_count) +
         "</DequeueCount><Priority>8</Priority></Message>";
}

std::string Report(const std::string& phone) {
  return R"({"phone_number":")" + phone +
         R"(","success":true,"biz_id":"1^0","send_time":"2024-03-01 12:00:00",)"
         R"("report_time":"2024-03-01 12:00:02","err_code":"DELIVERED",)"
         R"("err_msg":"","sms_size":"1"})";
}

// Receives get the scripted replies in order, then park like a long poll
// until the call is cancelled; every DELETE is recorded and succeeds.
class FakeQueue : public internal::Transport {
 public:
  StatusOr<HttpReply> Send(const HttpCall& call) override {
    std::unique_lock<std::mutex> lock(mutex);
    if (call.method == "DELETE") {
      deletes.push_back(call.body);
      changed.notify_all();
      return HttpReply{.status = 204};
    }
    ++receives;
    changed.notify_all();
    if (!replies.empty()) {
      HttpReply reply = std::move(replies.front());
      replies.pop_front();
      return reply;
    }
    std::stop_callback wake(call.stop, [&] {
      std::lock_guard<std::mutex> inner(mutex);
      changed.notify_all();
    });
    changed.wait(lock, [&] { return call.stop.stop_requested(); });
    return Status(StatusCode::kCancelled, "cancelled");
  }

  template <typename Predicate>
  bool WaitFor(Predicate done) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(20), done);
  }

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<HttpReply> replies;
  std::vector<std::string> deletes;  // request bodies
  int receives = 0;
};

class AlicomConsumerUnitTest : public ::testing::Test {
 protected:
  std::unique_ptr<AlicomConsumer> Consumer() {
    auto client = std::make_shared<MnsClient>(
        ClientOptions{.endpoint = "http://unused",
                      .credentials = MakeStaticCredentials("ak", "sk"),
                      .retry = {.max_attempts = 1},
                      .clock = clock_},
        queue_);
    return std::make_unique<AlicomConsumer>(
        client, nullptr,
        AlicomConsumer::Options{.queue_name = kQueue,
                                .poison_after_dequeues = 5,
                                .min_backoff = Duration(1000),
                                .max_backoff = Duration(1000),
                                .clock = clock_});
  }

  std::shared_ptr<FakeQueue> queue_ = std::make_shared<FakeQueue>();
  std::shared_ptr<SimulatedClock> clock_ =
      std::make_shared<SimulatedClock>(FromUnixMillis(1'700'000'000'000));
};

TEST_F(AlicomConsumerUnitTest, DeletesOnlyWhatWasAcceptedOrPoisoned) {
  queue_->replies.push_back(
      {.status = 200,
       .body = "<Messages>" + MessageXml("H-ok", Report("1"), 1) +
               MessageXml("H-rejected", Report("2"), 1) +
               MessageXml("H-throws", Report("3"), 1) +
               MessageXml("H-poison", Report("4"), 6) + "</Messages>"});
  int poisoned = 0;
  auto consumer = Consumer();
  consumer->OnReport([](const SmsReport& r, const Message&) -> bool {
    if (r.phone_number == "3") throw std::runtime_error("handler bug");
    return r.phone_number == "1";
  });
  consumer->OnPoison([&](const Message& m) {
    EXPECT_EQ(m.receipt_handle, "H-poison");
    ++poisoned;
  });
  consumer->Start();
  ASSERT_TRUE(queue_->WaitFor([&] { return queue_->receives == 2; }));
  consumer->Stop();

  ASSERT_EQ(queue_->deletes.size(), 1u);
  const std::string& batch = queue_->deletes[0];
  EXPECT_THAT(batch, HasSubstr("<ReceiptHandle>H-ok</ReceiptHandle>"));
  EXPECT_THAT(batch, HasSubstr("<ReceiptHandle>H-poison</ReceiptHandle>"));
  EXPECT_THAT(batch, Not(HasSubstr("H-rejected")));
  EXPECT_THAT(batch, Not(HasSubstr("H-throws")));
  EXPECT_EQ(poisoned, 1);
  const auto stats = consumer->stats();
  EXPECT_EQ(stats.received, 4);
  EXPECT_EQ(stats.handled, 1);
  EXPECT_EQ(stats.failed, 2);
  EXPECT_EQ(stats.poisoned, 1);
  EXPECT_EQ(stats.deleted, 2);
}

TEST_F(AlicomConsumerUnitTest, ErrorsBackOffOnTheClockInsteadOfLoopingHot) {
  const std::string busy =
      "<Error><Code>InternalError</Code><Message>busy</Message></Error>";
  for (int i = 0; i < 2; ++i) {
    queue_->replies.push_back({.status = 503, .body = busy});
  }
  auto consumer = Consumer();
  consumer->OnReport([](const SmsReport&, const Message&) { return true; });
  consumer->Start();
  ASSERT_TRUE(queue_->WaitFor([&] { return queue_->receives == 1; }));
  // The clock is frozen: the worker must be asleep in its backoff, not
  // polling again.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  {
    std::lock_guard<std::mutex> lock(queue_->mutex);
    EXPECT_EQ(queue_->receives, 1);
  }
  // Each step of the clock past the backoff lets exactly one more poll out.
  // (Advance until it does: the worker may not be asleep yet.)
  for (int expected : {2, 3}) {
    ASSERT_TRUE(testutil::Eventually(
        [&] {
          clock_->Advance(Duration(1000));
          std::unique_lock<std::mutex> lock(queue_->mutex);
          return queue_->changed.wait_for(
              lock, std::chrono::milliseconds(50),
              [&] { return queue_->receives == expected; });
        },
        std::chrono::seconds(20), Duration(0)))
        << "poll " << expected << " never came";
  }
  consumer->Stop();
  EXPECT_EQ(consumer->stats().errors, 2);
}

}  // namespace
}  // namespace mns
