// MnsClient against the in-process emulator: every operation over real HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/testing/alicom_emulator_fixture.h"

namespace mns {
namespace {

// The shared fixture's emulator, with a client on the static key pair.
class MnsClientEmulatorTest : public testutil::AlicomEmulatorTest {
 protected:
  void SetUp() override {
    AlicomEmulatorTest::SetUp();
    client_ = std::make_unique<MnsClient>(ClientOptions{
        .endpoint = server_->address(), .credentials = DefaultKeys()});
  }
  std::unique_ptr<MnsClient> client_;
};

TEST_F(MnsClientEmulatorTest, QueueLifecycle) {
  EXPECT_EQ(*client_->CreateQueue("q1", {.visibility_timeout = 60}), true);
  EXPECT_EQ(*client_->CreateQueue("q1", {.visibility_timeout = 60}), false);
  EXPECT_EQ(client_->CreateQueue("q1", {.visibility_timeout = 61})
                .status()
                .error_code(),
            "QueueAlreadyExist");
  ASSERT_TRUE(
      client_->SetQueueAttributes("q1", {.logging_enabled = true}).ok());
  auto info = client_->GetQueueAttributes("q1");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name, "q1");
  EXPECT_EQ(info->visibility_timeout, 60);
  EXPECT_TRUE(info->logging_enabled);
  EXPECT_EQ(info->maximum_message_size, 65536);
  EXPECT_GT(info->create_time.time_since_epoch().count(), 0);
  EXPECT_TRUE(client_->DeleteQueue("q1").ok());
  auto gone = client_->GetQueueAttributes("q1");
  EXPECT_EQ(gone.status().error_code(), "QueueNotExist");
  EXPECT_FALSE(gone.status().request_id().empty());
}

TEST_F(MnsClientEmulatorTest, ListsEveryQueueAcrossPages) {
  for (auto name : {"p-a", "p-b", "p-c", "other"}) {
    ASSERT_TRUE(client_->CreateQueue(name).ok());
  }
  auto page = client_->ListQueues("p-", "", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->queue_names, (std::vector<std::string>{"p-a", "p-b"}));
  EXPECT_FALSE(page->next_marker.empty());
  auto names = client_->ListAllQueues("p-", 2);
  std::vector<std::string> all;
  while (auto name = names.Next()) all.push_back(*name);
  EXPECT_EQ(all, (std::vector<std::string>{"p-a", "p-b", "p-c"}));
}

TEST_F(MnsClientEmulatorTest, MessageLifecycle) {
  ASSERT_TRUE(client_->CreateQueue("q").ok());
  auto sent = client_->SendMessage("q", {.body = "fish & <chips> 测试"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto peeked = client_->PeekMessage("q");
  ASSERT_TRUE(peeked.ok());
  EXPECT_EQ(peeked->body, "fish & <chips> 测试");
  EXPECT_FALSE(peeked->first_dequeue_time.has_value());
  auto got = client_->ReceiveMessage("q", 1);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->message_id, sent->message_id);
  EXPECT_EQ(got->body_md5, sent->body_md5);
  EXPECT_EQ(got->body, "fish & <chips> 测试");
  EXPECT_EQ(got->dequeue_count, 1);
  auto changed =
      client_->ChangeMessageVisibility("q", got->receipt_handle, 100);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_GT(changed->next_visible_time, got->next_visible_time);
  EXPECT_TRUE(client_->DeleteMessage("q", changed->receipt_handle).ok());
  EXPECT_EQ(client_->ReceiveMessage("q", 0).status().error_code(),
            "MessageNotExist");
}

TEST_F(MnsClientEmulatorTest, DelayedSendReturnsAHandle) {
  ASSERT_TRUE(client_->CreateQueue("q").ok());
  auto sent = client_->SendMessage("q", {.body = "later", .delay_seconds = 60});
  ASSERT_TRUE(sent.ok());
  EXPECT_FALSE(sent->receipt_handle.empty());
}

TEST_F(MnsClientEmulatorTest, BatchOperationsAndPartialFailures) {
  ASSERT_TRUE(client_->CreateQueue("q", {.maximum_message_size = 1024}).ok());
  std::vector<SendMessageRequest> batch;
  for (int i = 0; i < 16; ++i)
    batch.push_back({.body = "m" + std::to_string(i)});
  auto sent = client_->BatchSendMessage("q", batch);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->size(), 16u);
  auto peeked = client_->BatchPeekMessage("q", 16);
  ASSERT_TRUE(peeked.ok());
  EXPECT_EQ(peeked->size(), 16u);
  auto got = client_->BatchReceiveMessage("q", 16, 1);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 16u);
  EXPECT_EQ((*got)[15].body, "m15");
  std::vector<std::string> handles;
  for (const auto& m : *got) handles.push_back(m.receipt_handle);
  ASSERT_TRUE(client_->DeleteMessage("q", handles[0]).ok());
  auto deleted = client_->BatchDeleteMessage("q", handles);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  ASSERT_EQ(deleted->size(), 1u);
  EXPECT_EQ((*deleted)[0].receipt_handle, handles[0]);
  EXPECT_EQ((*deleted)[0].error_code, "MessageNotExist");

  // Base64 makes 1,000 bytes 1,336: over the queue's 1,024.
  auto partial = client_->BatchSendMessage(
      "q", {{.body = std::string(1000, 'x')}, {.body = "ok"}});
  ASSERT_TRUE(partial.ok()) << partial.status();
  EXPECT_EQ((*partial)[0].status().error_code(), "InvalidArgument");
  EXPECT_TRUE((*partial)[1].ok());
}

TEST_F(MnsClientEmulatorTest, WrongSecretIsSignatureDoesNotMatch) {
  MnsClient wrong(ClientOptions{
      .endpoint = server_->address(),
      .credentials = MakeStaticCredentials("mns-emulator-key", "wrong")});
  auto page = wrong.ListQueues();
  EXPECT_EQ(page.status().error_code(), "SignatureDoesNotMatch");
  EXPECT_EQ(page.status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace mns
