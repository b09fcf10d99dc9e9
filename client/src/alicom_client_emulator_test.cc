// The Alicom receipt loop with the client library against the in-process
// emulator: SendSms, a token provider feeding an MnsClient, the SmsReport
// long-polled, decoded and deleted, then QuerySendDetails.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "client/testing/alicom_emulator_fixture.h"

namespace mns {
namespace {

using nlohmann::json;
using testutil::kReportQueue;

using AlicomClientEmulatorTest = testutil::AlicomEmulatorTest;

TEST_F(AlicomClientEmulatorTest, SendReceiveDecodeDeleteAndQuery) {
  auto sent = alicom_->SendSms({.phone_numbers = {"13800000000"},
                                .sign_name = "阿里云",
                                .template_code = "SMS_1",
                                .template_param = R"({"code":"1234"})",
                                .out_id = "o-1"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  server_->clock().Advance(Duration(2000));
  auto got = mns_->ReceiveMessage(kReportQueue, 10);
  ASSERT_TRUE(got.ok()) << got.status();
  json receipt = json::parse(got->body);
  EXPECT_EQ(receipt["biz_id"], sent->biz_id);
  EXPECT_EQ(receipt["success"], true);
  EXPECT_EQ(receipt["out_id"], "o-1");
  EXPECT_TRUE(mns_->DeleteMessage(kReportQueue, got->receipt_handle).ok());

  auto page = alicom_->QuerySendDetails(
      {.phone_number = "13800000000",
       .send_date = BeijingSendDate(server_->clock().Now()),
       .biz_id = sent->biz_id});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->total_count, 1);
  ASSERT_EQ(page->details.size(), 1u);
  EXPECT_EQ(page->details[0].send_status, SendStatus::kDelivered);
  EXPECT_EQ(page->details[0].err_code, "DELIVRD");
}

TEST_F(AlicomClientEmulatorTest, TheProviderRefreshesBeforeTheTokenExpires) {
  auto first = tokens_->Get();
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(mns_->ReceiveMessage(kReportQueue, 0).status().error_code(),
            "MessageNotExist");
  // 58 minutes on: within two minutes of expiry, so the next call refreshes
  // and still works.
  server_->clock().Advance(std::chrono::minutes(58));
  EXPECT_EQ(mns_->ReceiveMessage(kReportQueue, 0).status().error_code(),
            "MessageNotExist");
  EXPECT_NE(tokens_->Get()->access_key_id, first->access_key_id);
}

TEST_F(AlicomClientEmulatorTest, BatchSendGivesOneBizId) {
  auto sent = alicom_->SendBatchSms(
      {.phone_numbers = {"13800000000", "13900000000"},
       .sign_names = {"阿里云", "阿里云"},
       .template_code = "SMS_1",
       .template_params = {R"({"a":"1"})", R"({"a":"2"})"}});
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->biz_id.substr(sent->biz_id.size() - 2), "^0");
}

}  // namespace
}  // namespace mns
