#include "emulator/core/queue_store.h"

#include <gtest/gtest.h>

namespace mns::emulator {
namespace {

const TimePoint kT0 = FromUnixMillis(1'700'000'000'000);

class QueueStoreTest : public ::testing::Test {
 protected:
  QueueStoreTest() : random_(1), store_(&settings_, &random_) {}
  std::vector<std::string> Names(const QueueStorePage& page) {
    std::vector<std::string> out;
    for (const Queue* q : page.queues) out.push_back(q->name());
    return out;
  }
  QueueSettings settings_;
  Random random_;
  QueueStore store_;
};

TEST_F(QueueStoreTest, CreateIsIdempotentOnlyForTheSameEffectiveAttributes) {
  EXPECT_EQ(*store_.Create("q1", {}, kT0), CreateOutcome::kCreated);
  EXPECT_EQ(*store_.Create("q1", {.visibility_timeout = 30}, kT0),
            CreateOutcome::kAlreadyExistsWithSameAttributes);
  EXPECT_EQ(store_.Create("q1", {.polling_wait_seconds = 20}, kT0)
                .status()
                .error_code(),
            "QueueAlreadyExist");
}

TEST_F(QueueStoreTest, CreateRejectsOutOfRangeAttributes) {
  auto result = store_.Create("q1", {.polling_wait_seconds = 60}, kT0);
  EXPECT_EQ(result.status().error_code(), "InvalidArgument");
  EXPECT_EQ(result.status().message(),
            "The value of PollingWaitSeconds should between 0 and 30 seconds.");
  EXPECT_FALSE(store_.Create("q1", {.maximum_message_size = 1023}, kT0).ok());
  EXPECT_FALSE(store_.Create("q1", {.message_retention_period = 59}, kT0).ok());
  EXPECT_FALSE(store_.Create("q1", {.visibility_timeout = 0}, kT0).ok());
  EXPECT_FALSE(store_.Create("q1", {.delay_seconds = -1}, kT0).ok());
  EXPECT_TRUE(store_.empty());
}

TEST_F(QueueStoreTest, CreateRejectsBadNames) {
  EXPECT_EQ(store_.Create("-q", {}, kT0).status().error_code(),
            "InvalidQueueName");
  EXPECT_EQ(store_.Create("q_1", {}, kT0).status().error_code(),
            "InvalidQueueName");
  EXPECT_EQ(store_.Create(std::string(257, 'a'), {}, kT0).status().error_code(),
            "QueueNameLengthError");
  EXPECT_TRUE(store_.Create(std::string(256, 'a'), {}, kT0).ok());
}

TEST_F(QueueStoreTest, SetAttributesIsAPartialUpdate) {
  ASSERT_TRUE(store_.Create("q1", {.logging_enabled = true}, kT0).ok());
  ASSERT_TRUE(
      store_.SetAttributes("q1", {.delay_seconds = 5}, kT0 + Duration(2000))
          .ok());
  Queue* q = *store_.Find("q1");
  EXPECT_TRUE(q->attributes().logging_enabled);
  EXPECT_EQ(q->attributes().delay_seconds, 5);
  EXPECT_EQ(q->last_modify_time(), kT0 + Duration(2000));
  EXPECT_EQ(store_.SetAttributes("nope", {}, kT0).error_code(),
            "QueueNotExist");
}

TEST_F(QueueStoreTest, ListPagesWithPrefixAndMarkers) {
  for (auto name : {"a1", "b1", "b2", "b3", "c1"}) {
    ASSERT_TRUE(store_.Create(name, {}, kT0).ok());
  }
  auto page1 = store_.List("b", "", 2);
  ASSERT_TRUE(page1.ok());
  EXPECT_EQ(Names(*page1), (std::vector<std::string>{"b1", "b2"}));
  EXPECT_EQ(page1->next_marker, "YjM=");  // base64("b3")
  auto page2 = store_.List("b", page1->next_marker, 2);
  EXPECT_EQ(Names(*page2), (std::vector<std::string>{"b3"}));
  EXPECT_TRUE(page2->next_marker.empty());
  EXPECT_EQ(Names(*store_.List("", "", 1000)).size(), 5u);
  EXPECT_FALSE(store_.List("", "", 1001).ok());
  EXPECT_FALSE(store_.List("", "%%%", 10).ok());
}

TEST_F(QueueStoreTest, DeleteReportsWhetherTheQueueExisted) {
  ASSERT_TRUE(store_.Create("q1", {}, kT0).ok());
  EXPECT_TRUE(store_.Delete("q1"));
  EXPECT_FALSE(store_.Delete("q1"));
}

}  // namespace
}  // namespace mns::emulator
