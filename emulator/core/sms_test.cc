#include "emulator/core/sms.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mns/common/strings.h"

namespace mns::emulator {
namespace {

using nlohmann::json;
using ::testing::MatchesRegex;

// 2024-01-01 10:00:00 Beijing.
const TimePoint kT0 = FromUnixMillis(1'704'074'400'000);
constexpr char kUid[] = "1234567890123456";
Duration Sec(int64_t s) { return Duration(s * 1000); }

class SmsCenterTest : public ::testing::Test {
 protected:
  SmsCenterTest() : random_(5) {}

  SmsCenter Make(SmsSettings settings = {}) {
    return SmsCenter(std::move(settings), &random_);
  }
  static SmsSubmission To(std::vector<std::string> numbers) {
    return SmsSubmission{.phone_numbers = std::move(numbers),
                         .sign_names = {"阿里云"},
                         .template_code = "SMS_1",
                         .template_params = {R"({"code":"1234"})"}};
  }
  static std::vector<json> Bodies(const std::vector<DueReport>& due) {
    std::vector<json> out;
    for (const auto& d : due) out.push_back(json::parse(d.json));
    return out;
  }

  Random random_;
};

TEST_F(SmsCenterTest, DeliveredReceiptArrivesAfterTheDelayWithExactTypes) {
  SmsCenter sms = Make({.report_delay_seconds = 5});
  SmsSubmission request = To({"13800000000"});
  request.out_id = "order-7";
  auto biz_id = sms.Send(kUid, request, kT0);
  ASSERT_TRUE(biz_id.ok()) << biz_id.status();
  EXPECT_THAT(*biz_id, MatchesRegex("[0-9]{18}\\^0"));
  EXPECT_TRUE(sms.TakeDue(kT0 + Sec(4)).empty());
  EXPECT_EQ(sms.NextDue(), kT0 + Sec(5));
  auto due = sms.TakeDue(kT0 + Sec(5));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].account, kUid);
  EXPECT_EQ(json::parse(due[0].json),
            json({{"phone_number", "13800000000"},
                  {"send_time", "2024-01-01 10:00:00"},
                  {"report_time", "2024-01-01 10:00:05"},
                  {"success", true},
                  {"err_code", "DELIVERED"},
                  {"err_msg", "用户接收成功"},
                  {"sms_size", "1"},
                  {"biz_id", *biz_id},
                  {"out_id", "order-7"}}));
  auto record = sms.Outbox({})[0];
  EXPECT_EQ(record.send_status, 3);
  EXPECT_EQ(record.err_code, "DELIVRD");
  EXPECT_EQ(record.content, R"(【阿里云】SMS_1 {"code":"1234"})");
}

TEST_F(SmsCenterTest, FailedRuleReportsItsCodeAndMessage) {
  SmsCenter sms = Make({.rules = {{.phone = "1390000*",
                                   .delivered = false,
                                   .err_code = "MK:0001",
                                   .err_msg = "空号"}}});
  ASSERT_TRUE(sms.Send(kUid, To({"13900000001", "13800000000"}), kT0).ok());
  auto bodies = Bodies(sms.TakeDue(kT0 + Sec(2)));
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[0]["success"], false);
  EXPECT_EQ(bodies[0]["err_code"], "MK:0001");
  EXPECT_EQ(bodies[0]["err_msg"], "空号");
  EXPECT_EQ(bodies[1]["success"], true);
  EXPECT_EQ(sms.Outbox({.phone_number = "13900000001"})[0].send_status, 2);
}

TEST_F(SmsCenterTest, NeverReportedSendStillSettlesItsRecord) {
  SmsCenter sms = Make({.rules = {{.phone = "13700000000", .reports = 0}}});
  auto biz_id = sms.Send(kUid, To({"13700000000"}), kT0);
  EXPECT_TRUE(sms.TakeDue(kT0 + Sec(60)).empty());
  auto page = sms.QuerySendDetails({.account = kUid,
                                    .phone_number = "13700000000",
                                    .send_date = "20240101",
                                    .biz_id = *biz_id},
                                   kT0 + Sec(60));
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].send_status, 3);
}

TEST_F(SmsCenterTest, ReportedTwiceGivesTwoIdenticalReceipts) {
  SmsCenter sms = Make({.rules = {{.phone = "*", .reports = 2}}});
  ASSERT_TRUE(sms.Send(kUid, To({"13800000000"}), kT0).ok());
  auto due = sms.TakeDue(kT0 + Sec(2));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].json, due[1].json);
}

TEST_F(SmsCenterTest, DelayRuleAddsToTheDefaultDelay) {
  SmsCenter sms = Make({.report_delay_seconds = 2,
                        .rules = {{.phone = "138*", .delay_seconds = 100}}});
  ASSERT_TRUE(sms.Send(kUid, To({"13800000000"}), kT0).ok());
  EXPECT_TRUE(sms.TakeDue(kT0 + Sec(101)).empty());
  EXPECT_EQ(sms.TakeDue(kT0 + Sec(102)).size(), 1u);
}

TEST_F(SmsCenterTest, PendingSendShowsStatusOne) {
  SmsCenter sms = Make();
  ASSERT_TRUE(sms.Send(kUid, To({"13800000000"}), kT0).ok());
  auto page = sms.QuerySendDetails(
      {.account = kUid, .phone_number = "13800000000", .send_date = "20240101"},
      kT0);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].send_status, 1);
  EXPECT_FALSE(page->records[0].receive_time.has_value());
}

TEST_F(SmsCenterTest, ValidatesNumbersSignsTemplatesAndParameters) {
  SmsCenter strict = Make({.sign_names = {"阿里云"},
                           .templates = {{"SMS_1", "验证码${code}，${name}"}}});
  auto code = [&](SmsSubmission r) {
    return strict.Send(kUid, r, kT0).status().error_code();
  };
  EXPECT_EQ(code(To({"12345"})), "isv.MOBILE_NUMBER_ILLEGAL");
  EXPECT_EQ(code(To(std::vector<std::string>(1001, "13800000000"))),
            "isv.MOBILE_COUNT_OVER_LIMIT");
  SmsSubmission bad_sign = To({"13800000000"});
  bad_sign.sign_names = {"别的"};
  EXPECT_EQ(code(bad_sign), "isv.SMS_SIGNATURE_ILLEGAL");
  SmsSubmission bad_template = To({"13800000000"});
  bad_template.template_code = "SMS_2";
  EXPECT_EQ(code(bad_template), "isv.SMS_TEMPLATE_ILLEGAL");
  EXPECT_EQ(code(To({"13800000000"})), "isv.TEMPLATE_MISSING_PARAMETERS");
  SmsSubmission not_json = To({"13800000000"});
  not_json.template_params = {R"({"code":1234,"name":"x"})"};
  EXPECT_EQ(code(not_json), "isv.INVALID_JSON_PARAM");

  SmsSubmission good = To({"+8613800000000"});
  good.template_params = {R"({"code":"1234","name":"小明"})"};
  ASSERT_TRUE(strict.Send(kUid, good, kT0).ok());
  auto record = strict.Outbox({})[0];
  EXPECT_EQ(record.content, "【阿里云】验证码1234，小明");
  EXPECT_EQ(record.phone_number, "13800000000");
}

TEST_F(SmsCenterTest, QuerySendDetailsPagesAndFiltersByBizId) {
  SmsCenter sms = Make();
  std::vector<std::string> biz_ids;
  for (int i = 0; i < 5; ++i) {
    biz_ids.push_back(*sms.Send(kUid, To({"13800000000"}), kT0 + Sec(i)));
  }
  ASSERT_TRUE(sms.Send("other-account", To({"13800000000"}), kT0).ok());
  SendDetailsQuery query{.account = kUid,
                         .phone_number = "13800000000",
                         .send_date = "20240101",
                         .page_size = 2,
                         .current_page = 3};
  auto page = sms.QuerySendDetails(query, kT0 + Sec(10));
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_count, 5);
  ASSERT_EQ(page->records.size(), 1u);
  EXPECT_EQ(page->records[0].biz_id, biz_ids[4]);
  query.current_page = 4;
  EXPECT_TRUE(sms.QuerySendDetails(query, kT0)->records.empty());
  query = {.account = kUid,
           .phone_number = "13800000000",
           .send_date = "20240101",
           .biz_id = biz_ids[1]};
  EXPECT_EQ(sms.QuerySendDetails(query, kT0)->total_count, 1);
}

TEST_F(SmsCenterTest, QuerySendDetailsKeepsToTheLast30BeijingDays) {
  SmsCenter sms = Make();
  auto query = [&](std::string date, int64_t page_size = 10) {
    return sms
        .QuerySendDetails({.account = kUid,
                           .phone_number = "13800000000",
                           .send_date = date,
                           .page_size = page_size},
                          kT0)
        .status();
  };
  EXPECT_TRUE(query("20240101").ok());
  EXPECT_TRUE(query("20231203").ok());  // 29 days back
  EXPECT_EQ(query("20231202").error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(query("20240102").error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(query("2024-01-01").error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(query("20240132").error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(query("20240101", 51).error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(query("20240101", 0).error_code(), "isv.INVALID_PARAMETERS");
  EXPECT_EQ(sms.QuerySendDetails({.account = kUid,
                                  .phone_number = "13800000000,13900000000",
                                  .send_date = "20240101"},
                                 kT0)
                .status()
                .error_code(),
            "isv.MOBILE_NUMBER_ILLEGAL");
}

TEST_F(SmsCenterTest, SendDateIsTheBeijingCalendarDay) {
  SmsCenter sms = Make();
  // 2024-01-01 23:30 UTC is already 2 January in Beijing.
  const TimePoint late = FromUnixMillis(1'704'151'800'000);
  ASSERT_TRUE(sms.Send(kUid, To({"13800000000"}), late).ok());
  auto on = [&](std::string date) {
    return sms
        .QuerySendDetails(
            {.account = kUid, .phone_number = "13800000000", .send_date = date},
            late)
        ->total_count;
  };
  EXPECT_EQ(on("20240102"), 1);
  EXPECT_EQ(on("20240101"), 0);
}

TEST_F(SmsCenterTest, LatestToFindsTheNewestSendForAReply) {
  SmsCenter sms = Make();
  SmsSubmission first = To({"13800000000"});
  first.up_extend_codes = {"11"};
  SmsSubmission second = To({"13800000000"});
  second.up_extend_codes = {"22"};
  ASSERT_TRUE(sms.Send(kUid, first, kT0).ok());
  ASSERT_TRUE(sms.Send(kUid, second, kT0 + Sec(1)).ok());
  EXPECT_EQ(sms.LatestTo(kUid, "8613800000000")->up_extend_code, "22");
  EXPECT_FALSE(sms.LatestTo(kUid, "13900000000").has_value());
}

TEST_F(SmsCenterTest, TheOutboxDropsTheOldestSettledRecordsFirst) {
  SmsCenter sms =
      Make({.rules = {{.phone = "13900000000", .delay_seconds = 3600}},
            .max_records = 3});
  ASSERT_TRUE(sms.Send(kUid, To({"13900000000"}), kT0).ok());  // pending 1 h
  ASSERT_TRUE(sms.Send(kUid, To({"13800000001"}), kT0).ok());
  ASSERT_TRUE(sms.Send(kUid, To({"13800000002"}), kT0).ok());
  ASSERT_EQ(sms.TakeDue(kT0 + Sec(2)).size(), 2u);  // two settle
  ASSERT_TRUE(sms.Send(kUid, To({"13800000003"}), kT0 + Sec(3)).ok());
  std::vector<std::string> kept;
  for (const SmsRecord& r : sms.Outbox({})) kept.push_back(r.phone_number);
  // 13800000001 was the oldest settled one; the older pending one stays,
  // and so does its receipt.
  EXPECT_EQ(kept, (std::vector<std::string>{"13900000000", "13800000002",
                                            "13800000003"}));
  auto late = Bodies(sms.TakeDue(kT0 + Sec(3602)));
  ASSERT_EQ(late.size(), 2u);
  EXPECT_EQ(late[0]["phone_number"], "13800000003");
  EXPECT_EQ(late[1]["phone_number"], "13900000000");
}

TEST_F(SmsCenterTest, WhenNothingIsSettledTheOldestRecordGoesWithItsReceipt) {
  SmsCenter sms = Make({.max_records = 2});
  for (const char* number : {"13800000001", "13800000002", "13800000003"}) {
    ASSERT_TRUE(sms.Send(kUid, To({number}), kT0).ok());
  }
  auto due = Bodies(sms.TakeDue(kT0 + Sec(2)));
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0]["phone_number"], "13800000002");
  EXPECT_EQ(sms.Outbox({}).size(), 2u);
}

TEST_F(SmsCenterTest, ASendBeyondThePendingReceiptBoundIsRefused) {
  SmsCenter sms = Make({.rules = {{.phone = "1390000000?", .reports = 2}},
                        .max_pending_reports = 3});
  ASSERT_TRUE(sms.Send(kUid, To({"13900000001"}), kT0).ok());  // 2 receipts
  auto refused = sms.Send(kUid, To({"13900000002"}), kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().error_code(), "isv.BUSINESS_LIMIT_CONTROL");
  ASSERT_TRUE(sms.Send(kUid, To({"13800000000"}), kT0).ok());  // 1 fits
  EXPECT_EQ(sms.TakeDue(kT0 + Sec(2)).size(), 3u);
  EXPECT_TRUE(sms.Send(kUid, To({"13900000002"}), kT0 + Sec(2)).ok());
}

TEST(PhonePatternTest, GlobMatching) {
  EXPECT_TRUE(GlobMatches("138*", "13800000000"));
  EXPECT_TRUE(GlobMatches("1380000000?", "13800000001"));
  EXPECT_TRUE(GlobMatches("*1", "13800000001"));
  EXPECT_FALSE(GlobMatches("139*", "13800000000"));
  EXPECT_TRUE(GlobMatches("13800000000", "13800000000"));
}

}  // namespace
}  // namespace mns::emulator
