#include "mns/receipts.h"

#include <gtest/gtest.h>

namespace mns {
namespace {

TEST(ReceiptsTest, ParsesTheDocumentedSmsReport) {
  // spec alicom §5.2
  auto r = ParseSmsReport(
      R"({"phone_number":"13900000001","send_time":"2017-01-01 00:00:00","report_time":"2017-01-01 00:00:05",
          "success":true,"err_code":"DELIVERED","err_msg":"用户接收成功","sms_size":"1",
          "biz_id":"900619746936498440^0","out_id":"67890"})");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->phone_number, "13900000001");
  EXPECT_TRUE(r->success);
  EXPECT_EQ(r->biz_id, "900619746936498440^0");
  EXPECT_EQ(r->out_id, "67890");
  EXPECT_EQ(r->sms_size, 1);
  EXPECT_EQ(r->err_msg, "用户接收成功");
}

TEST(ReceiptsTest, ParsesTheDocumentedSmsUp) {
  // spec alicom §5.3
  auto u = ParseSmsUp(
      R"({"phone_number":"18612345678","send_time":"2017-09-01 00:00:00","content":"TD",
          "sign_name":"阿里云","dest_code":"1234","sequence_id":1234567890})");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->content, "TD");
  EXPECT_EQ(u->dest_code, "1234");
  EXPECT_EQ(u->sequence_id, 1234567890);
}

TEST(ReceiptsTest, RejectsWhatIsNotAReceipt) {
  EXPECT_EQ(ParseSmsReport("not json").status().code(), StatusCode::kDataLoss);
  EXPECT_FALSE(ParseSmsReport("[]").ok());
  EXPECT_FALSE(ParseSmsReport(R"({"phone_number":"1","biz_id":"b"})").ok());
  EXPECT_FALSE(
      ParseSmsReport(R"({"phone_number":"1","biz_id":"b","success":"true"})")
          .ok());
  EXPECT_FALSE(ParseSmsUp(R"({"phone_number":"1"})").ok());
}

}  // namespace
}  // namespace mns
