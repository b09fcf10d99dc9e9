#include "emulator/core/queue.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mns::emulator {
namespace {

using ::testing::ElementsAre;
using ::testing::MatchesRegex;

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);
Duration Sec(int64_t s) { return Duration(s * 1000); }

class QueueTest : public ::testing::Test {
 protected:
  QueueTest() : random_(42) {}

  Queue MakeQueue(QueueAttributeValues attributes = {}) {
    return Queue("q", attributes, kT0, &settings_, &random_);
  }
  static SendRequest Body(std::string body) {
    return SendRequest{.body = std::move(body)};
  }
  static std::vector<std::string> Bodies(const std::vector<MessageView>& v) {
    std::vector<std::string> out;
    for (const auto& m : v) out.push_back(m.body);
    return out;
  }

  QueueSettings settings_;
  Random random_;
};

TEST_F(QueueTest, SendReturnsIdAndUppercaseMd5OfTheBodyAsSent) {
  Queue q = MakeQueue();
  auto sent = q.Send(Body("I am 测试字符串."), kT0);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_THAT(sent->message_id, MatchesRegex("[0-9A-F]{32}"));
  EXPECT_EQ(sent->body_md5, "9D75198CAA17528AB23790C1861987AF");
  EXPECT_FALSE(sent->receipt_handle.has_value());
}

TEST_F(QueueTest, ReceiveHidesMessageUntilVisibilityExpires) {
  Queue q = MakeQueue({.visibility_timeout = 30});
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  auto first = q.Receive(1, kT0 + Sec(1));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].dequeue_count, 1);
  EXPECT_EQ(first[0].first_dequeue_time, ToUnixMillis(kT0 + Sec(1)));
  EXPECT_EQ(first[0].next_visible_time, ToUnixMillis(kT0 + Sec(31)));
  EXPECT_THAT(first[0].receipt_handle, MatchesRegex("[A-Za-z0-9-]+"));

  EXPECT_TRUE(q.Receive(1, kT0 + Sec(31) - Duration(1)).empty());
  auto again = q.Receive(1, kT0 + Sec(31));
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].dequeue_count, 2);
  EXPECT_EQ(again[0].first_dequeue_time, first[0].first_dequeue_time);
  EXPECT_NE(again[0].receipt_handle, first[0].receipt_handle);
}

TEST_F(QueueTest, MessageDelayOverridesQueueDelay) {
  Queue q = MakeQueue({.delay_seconds = 100, .visibility_timeout = 1000});
  ASSERT_TRUE(q.Send(Body("queue-delay"), kT0).ok());
  ASSERT_TRUE(q.Send({.body = "own-delay", .delay_seconds = 5}, kT0).ok());
  ASSERT_TRUE(q.Send({.body = "no-delay", .delay_seconds = 0}, kT0).ok());
  EXPECT_THAT(Bodies(q.Receive(16, kT0)), ElementsAre("no-delay"));
  EXPECT_THAT(Bodies(q.Receive(16, kT0 + Sec(5))), ElementsAre("own-delay"));
  EXPECT_TRUE(q.Receive(16, kT0 + Sec(99)).empty());
  EXPECT_THAT(Bodies(q.Receive(16, kT0 + Sec(100))),
              ElementsAre("queue-delay"));
}

TEST_F(QueueTest, DelayedSendReturnsAHandleThatWorksUntilItIsActive) {
  Queue q = MakeQueue();
  auto sent = q.Send({.body = "tx", .delay_seconds = 60}, kT0);
  ASSERT_TRUE(sent.ok());
  ASSERT_TRUE(sent->receipt_handle.has_value());
  // Commit, as the Java SDK's TransactionQueue does: make it visible in 1 s.
  auto changed = q.ChangeVisibility(*sent->receipt_handle, 1, kT0 + Sec(2));
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->next_visible_time, ToUnixMillis(kT0 + Sec(3)));
  EXPECT_EQ(q.Counts(kT0 + Sec(2)).delayed, 1);
  EXPECT_THAT(Bodies(q.Receive(1, kT0 + Sec(3))), ElementsAre("tx"));
}

TEST_F(QueueTest, RetentionExpiresMessagesInEveryState) {
  Queue q =
      MakeQueue({.message_retention_period = 60, .visibility_timeout = 600});
  ASSERT_TRUE(q.Send(Body("active"), kT0).ok());
  ASSERT_TRUE(q.Send(Body("inactive"), kT0).ok());
  ASSERT_TRUE(q.Send({.body = "delayed", .delay_seconds = 600}, kT0).ok());
  ASSERT_EQ(q.Receive(1, kT0).size(), 1u);  // "active" is now inactive
  QueueCounts before = q.Counts(kT0 + Sec(59));
  EXPECT_EQ(before.active, 1);
  EXPECT_EQ(before.inactive, 1);
  EXPECT_EQ(before.delayed, 1);
  QueueCounts after = q.Counts(kT0 + Sec(60));
  EXPECT_EQ(after.active + after.inactive + after.delayed, 0);
  EXPECT_EQ(q.size(), 0u);
}

TEST_F(QueueTest, PriorityFirstThenFifo) {
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send({.body = "p8-a"}, kT0).ok());
  ASSERT_TRUE(q.Send({.body = "p16", .priority = 16}, kT0).ok());
  ASSERT_TRUE(q.Send({.body = "p1", .priority = 1}, kT0).ok());
  ASSERT_TRUE(q.Send({.body = "p0-is-8", .priority = 0}, kT0).ok());
  ASSERT_TRUE(q.Send({.body = "p8-b", .priority = 8}, kT0).ok());
  auto got = q.Receive(16, kT0);
  EXPECT_THAT(Bodies(got), ElementsAre("p1", "p8-a", "p0-is-8", "p8-b", "p16"));
  EXPECT_EQ(got[2].priority, 8);
}

TEST_F(QueueTest, RedeliveredMessageQueuesBehindThoseAlreadyActive) {
  Queue q = MakeQueue({.visibility_timeout = 10});
  ASSERT_TRUE(q.Send(Body("first"), kT0).ok());
  ASSERT_EQ(q.Receive(1, kT0).size(), 1u);
  ASSERT_TRUE(q.Send(Body("second"), kT0 + Sec(5)).ok());
  EXPECT_THAT(Bodies(q.Receive(16, kT0 + Sec(10))),
              ElementsAre("second", "first"));
}

TEST_F(QueueTest, PeekShowsActiveMessagesWithoutChangingThem) {
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  ASSERT_TRUE(q.Send({.body = "later", .delay_seconds = 10}, kT0).ok());
  auto peeked = q.Peek(16, kT0);
  ASSERT_EQ(peeked.size(), 1u);
  EXPECT_EQ(peeked[0].dequeue_count, 0);
  EXPECT_EQ(peeked[0].first_dequeue_time, 0);
  EXPECT_TRUE(peeked[0].receipt_handle.empty());
  EXPECT_EQ(q.Receive(1, kT0)[0].dequeue_count, 1);
}

TEST_F(QueueTest, DeleteWithTheCurrentHandleRemovesTheMessage) {
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  auto got = q.Receive(1, kT0);
  EXPECT_TRUE(q.Delete(got[0].receipt_handle, kT0 + Sec(1)).ok());
  EXPECT_EQ(q.size(), 0u);
  EXPECT_EQ(q.Delete(got[0].receipt_handle, kT0 + Sec(1)).error_code(),
            "MessageNotExist");
}

TEST_F(QueueTest, HandleFromAnEarlierReceiveIsMessageNotExist) {
  Queue q = MakeQueue({.visibility_timeout = 10});
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  auto first = q.Receive(1, kT0);
  // Past NextVisibleTime the handle is dead even before a new receive.
  EXPECT_EQ(q.Delete(first[0].receipt_handle, kT0 + Sec(10)).error_code(),
            "MessageNotExist");
  auto second = q.Receive(1, kT0 + Sec(10));
  EXPECT_EQ(q.Delete(first[0].receipt_handle, kT0 + Sec(11)).error_code(),
            "MessageNotExist");
  EXPECT_TRUE(q.Delete(second[0].receipt_handle, kT0 + Sec(11)).ok());
}

TEST_F(QueueTest, MalformedOrForeignHandleIsReceiptHandleError) {
  // Both queues hold a received message with the same seq and epoch; only
  // the token tells their handles apart.
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  ASSERT_EQ(q.Receive(1, kT0).size(), 1u);
  Queue other = Queue("other", {}, kT0, &settings_, &random_);
  ASSERT_TRUE(other.Send(Body("a"), kT0).ok());
  std::string foreign = other.Receive(1, kT0)[0].receipt_handle;
  for (std::string bad : {std::string(""), std::string("garbage"),
                          std::string("1-ODU4OTkzNDU5My0xNDM1MTk3NjAwLTItNg=="),
                          foreign, foreign + "0"}) {
    EXPECT_EQ(q.Delete(bad, kT0).error_code(), "ReceiptHandleError") << bad;
  }
}

TEST_F(QueueTest, ChangeVisibilityIssuesANewHandleAndKeepsTheOldByDefault) {
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  std::string old_handle = q.Receive(1, kT0)[0].receipt_handle;
  auto changed = q.ChangeVisibility(old_handle, 100, kT0 + Sec(10));
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(changed->receipt_handle, old_handle);
  EXPECT_EQ(changed->next_visible_time, ToUnixMillis(kT0 + Sec(110)));
  // Still hidden at the old NextVisibleTime.
  EXPECT_TRUE(q.Receive(1, kT0 + Sec(30)).empty());
  EXPECT_TRUE(q.Delete(old_handle, kT0 + Sec(40)).ok());
}

TEST_F(QueueTest, StrictHandlesRejectThePreChangeHandle) {
  settings_.strict_receipt_handles = true;
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  std::string old_handle = q.Receive(1, kT0)[0].receipt_handle;
  auto changed = q.ChangeVisibility(old_handle, 100, kT0);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(q.Delete(old_handle, kT0).error_code(), "MessageNotExist");
  EXPECT_TRUE(q.Delete(changed->receipt_handle, kT0).ok());
}

TEST_F(QueueTest, ChangeVisibilityRangeIsOneTo43200) {
  Queue q = MakeQueue();
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  std::string handle = q.Receive(1, kT0)[0].receipt_handle;
  EXPECT_EQ(q.ChangeVisibility(handle, 0, kT0).status().message(),
            "The value of VisibilityTimeout should between 1 and 43200 "
            "seconds.");
  EXPECT_FALSE(q.ChangeVisibility(handle, 43201, kT0).ok());
  EXPECT_TRUE(q.ChangeVisibility(handle, 43200, kT0).ok());
}

TEST_F(QueueTest, CountersFollowEveryState) {
  Queue q = MakeQueue({.visibility_timeout = 10});
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  ASSERT_TRUE(q.Send(Body("b"), kT0).ok());
  ASSERT_TRUE(q.Send({.body = "c", .delay_seconds = 5}, kT0).ok());
  ASSERT_EQ(q.Receive(1, kT0).size(), 1u);
  QueueCounts c = q.Counts(kT0);
  EXPECT_EQ(c.active, 1);
  EXPECT_EQ(c.inactive, 1);
  EXPECT_EQ(c.delayed, 1);
  c = q.Counts(kT0 + Sec(10));
  EXPECT_EQ(c.active, 3);
  EXPECT_EQ(c.inactive + c.delayed, 0);
}

TEST_F(QueueTest, NextActivationIsTheEarliestDelayOrVisibilityEnd) {
  Queue q = MakeQueue({.visibility_timeout = 30});
  EXPECT_FALSE(q.NextActivation().has_value());
  ASSERT_TRUE(q.Send({.body = "d", .delay_seconds = 50}, kT0).ok());
  EXPECT_EQ(q.NextActivation(), kT0 + Sec(50));
  ASSERT_TRUE(q.Send(Body("a"), kT0).ok());
  ASSERT_EQ(q.Receive(1, kT0).size(), 1u);
  EXPECT_EQ(q.NextActivation(), kT0 + Sec(30));
}

TEST_F(QueueTest, SendValidatesBodyDelayAndPriority) {
  Queue q = MakeQueue({.maximum_message_size = 1024});
  EXPECT_EQ(q.Send(Body(std::string(1025, 'x')), kT0).status().error_code(),
            "InvalidArgument");
  EXPECT_TRUE(q.Send(Body(std::string(1024, 'x')), kT0).ok());
  EXPECT_FALSE(q.Send(Body(""), kT0).ok());
  EXPECT_FALSE(q.Send({.body = "a", .delay_seconds = 604801}, kT0).ok());
  EXPECT_FALSE(q.Send({.body = "a", .priority = 17}, kT0).ok());
  settings_.priority_zero_is_default = false;
  EXPECT_FALSE(q.Send({.body = "a", .priority = 0}, kT0).ok());
}

TEST_F(QueueTest, SameSeedGivesSameIdsAndHandles) {
  auto run = [] {
    QueueSettings settings;
    Random random(7);
    Queue q("q", {}, kT0, &settings, &random);
    std::string out = q.Send({.body = "a"}, kT0)->message_id;
    return out + q.Receive(1, kT0)[0].receipt_handle;
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace mns::emulator
