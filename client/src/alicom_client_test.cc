// AlicomClient over a fake transport: request signing, result mapping and
// the time zone of token times.
#include "mns/alicom_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "client/src/pop_signer.h"
#include "client/testing/fake_transport.h"
#include "mns/common/testing/scoped_time_zone.h"

namespace mns {
namespace {

using internal::HttpCall;
using internal::HttpReply;
using ::testing::HasSubstr;

class AlicomClientTest : public ::testing::TestWithParam<const char*> {
 protected:
  AlicomClient Make() {
    return AlicomClient(
        ClientOptions{.endpoint = "http://unused",
                      .credentials = MakeStaticCredentials("ak", "sk"),
                      .retry = {.initial_delay = Duration(0)}},
        transport_);
  }
  std::shared_ptr<testutil::FakeTransport> transport_ =
      std::make_shared<testutil::FakeTransport>();
};

TEST_P(AlicomClientTest, TokenTimesAreReadAsBeijingTime) {
  testutil::ScopedTimeZone zone(GetParam());
  transport_->Reply(
      200, R"({"RequestId":"R","Code":"OK","Message":"OK","MessageTokenDTO":{
         "AccessKeyId":"STS.a","AccessKeySecret":"s","SecurityToken":"CAIS",
         "CreateTime":"2024-01-01 10:00:00","ExpireTime":"2024-01-01 11:00:00"}})");
  auto token = Make().QueryTokenForMnsQueue("SmsReport");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(token->expire_time, FromUnixMillis(1'704'078'000'000));  // 03:00Z
  EXPECT_EQ(token->create_time, FromUnixMillis(1'704'074'400'000));
  EXPECT_THAT(transport_->calls[0].target,
              HasSubstr("Action=QueryTokenForMnsQueue"));
  EXPECT_THAT(transport_->calls[0].target, HasSubstr("MessageType=SmsReport"));
}

INSTANTIATE_TEST_SUITE_P(HostZones, AlicomClientTest,
                         ::testing::Values("UTC", "Asia/Shanghai"));

TEST(AlicomClientErrorsTest, BusinessAndGatewayErrorsCarryTheirCodes) {
  auto transport = std::make_shared<testutil::FakeTransport>();
  AlicomClient client(
      ClientOptions{.endpoint = "http://unused",
                    .credentials = MakeStaticCredentials("ak", "sk")},
      transport);
  transport->Reply(
      200,
      R"({"Message":"非法手机号","RequestId":"R1","Code":"isv.MOBILE_NUMBER_ILLEGAL"})");
  auto sent = client.SendSms(
      {.phone_numbers = {"1"}, .sign_name = "s", .template_code = "t"});
  EXPECT_EQ(sent.status().error_code(), "isv.MOBILE_NUMBER_ILLEGAL");
  EXPECT_EQ(sent.status().request_id(), "R1");
  EXPECT_EQ(sent.status().code(), StatusCode::kFailedPrecondition);

  transport->Reply(
      404,
      R"({"RequestId":"R2","Code":"InvalidAccessKeyId.NotFound","Message":"Specified access key is not found."})");
  auto details = client.QuerySendDetails(
      {.phone_number = "13800000000", .send_date = "20240101"});
  EXPECT_EQ(details.status().error_code(), "InvalidAccessKeyId.NotFound");
  EXPECT_EQ(details.status().code(), StatusCode::kNotFound);
}

TEST(AlicomClientErrorsTest, SignsWithV1OverTheQuery) {
  auto transport = std::make_shared<testutil::FakeTransport>();
  AlicomClient client(
      ClientOptions{.endpoint = "http://unused",
                    .credentials = MakeStaticCredentials("ak", "sk")},
      transport);
  transport->Reply(200, R"({"Code":"OK","BizId":"1^0","RequestId":"R"})");
  auto sent = client.SendSms({.phone_numbers = {"13800000000", "13900000000"},
                              .sign_name = "阿里云",
                              .template_code = "SMS_1",
                              .template_param = R"({"code":"1"})"});
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->biz_id, "1^0");
  const std::string target = transport->calls[0].target;
  EXPECT_THAT(target, HasSubstr("PhoneNumbers=13800000000%2C13900000000"));
  EXPECT_THAT(target, HasSubstr("SignatureMethod=HMAC-SHA1"));
  EXPECT_THAT(target, HasSubstr("&Signature="));
}

TEST(BeijingSendDateTest, IsTheBeijingCalendarDay) {
  EXPECT_EQ(BeijingSendDate(FromUnixMillis(1'704'151'800'000)),
            "20240102");  // 23:30Z
}

}  // namespace
}  // namespace mns
