// The Alicom APIs over real HTTP on port 0: POP RPC calls signed by the test
// client, temporary tokens used against the MNS API, and the SMS controls.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

#include "emulator/http/pop_auth.h"
#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"
#include "emulator/testing/pop_test_client.h"
#include "mns/common/crypto.h"
#include "mns/common/testing/scoped_time_zone.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

using ::mns::emulator::testutil::MnsTestClient;
using ::mns::emulator::testutil::PopTestClient;
using ::mns::emulator::testutil::Reply;
using ::mns::emulator::testutil::TestKeyPair;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// 2024-01-01 02:00:00 UTC, 10:00:00 in Beijing.
constexpr int64_t kT0Ms = 1'704'074'400'000;
constexpr char kUid[] = "1234567890123456";
const std::string kReportQueue =
    std::string("Alicom-Queue-") + kUid + "-SmsReport";
const std::string kUpQueue = std::string("Alicom-Queue-") + kUid + "-SmsUp";

class AlicomServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(DefaultConfig()); }

  void Start(EmulatorConfig config) {
    pop_.reset();
    http_.reset();
    server_.reset();
    config.port = 0;
    config.seed = 3;
    config.frozen_clock_ms = kT0Ms;
    auto server = Server::Start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    pop_ = std::make_unique<PopTestClient>(server_->port());
    http_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  json Token(const std::string& type = "SmsReport") {
    auto reply = pop_->Call("QueryTokenForMnsQueue", {{"MessageType", type}});
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.json["MessageTokenDTO"];
  }

  // An MNS call with temporary credentials and their security token.
  Reply WithToken(const json& token, const std::string& method,
                  const std::string& target) {
    MnsTestClient client(server_->port(), {.id = token["AccessKeyId"],
                                           .secret = token["AccessKeySecret"]});
    return client.Call(method, target, "",
                       {{"security-token", token["SecurityToken"]}});
  }

  std::string Send(const std::string& phone, const std::string& extra = "") {
    std::map<std::string, std::string> params = {{"PhoneNumbers", phone},
                                                 {"SignName", "阿里云"},
                                                 {"TemplateCode", "SMS_1"},
                                                 {"OutId", "o-1"}};
    if (!extra.empty()) params["SmsUpExtendCode"] = extra;
    auto reply = pop_->Call("SendSms", params);
    EXPECT_EQ(reply.json["Code"], "OK") << reply.body;
    return reply.json.value("BizId", "");
  }

  // The decoded JSON bodies of the messages now in `queue`, removed.
  std::vector<json> Drain(const std::string& queue) {
    std::vector<json> out;
    while (true) {
      auto got =
          server_->queues().ReceiveMessage("1943695596114318", queue, 16, 0);
      if (!got.ok()) return out;
      for (const auto& m : *got) {
        out.push_back(json::parse(*Base64Decode(m.body)));
        (void)server_->queues().DeleteMessage("1943695596114318", queue,
                                              m.receipt_handle);
      }
    }
  }

  void PutRules(const std::string& rules) {
    auto reply = http_->Put("/_emulator/sms/rules", rules, "application/json");
    ASSERT_EQ(reply->status, 200) << reply->body;
  }

  // Through the control API, which answers once the receipts due by then
  // are in their queues and their records settled.
  void Advance(int seconds) {
    auto reply = http_->Post("/_emulator/clock",
                             json{{"advance_seconds", seconds}}.dump(),
                             "application/json");
    ASSERT_EQ(reply->status, 200) << reply->body;
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<PopTestClient> pop_;
  std::unique_ptr<httplib::Client> http_;
};

// --- Tokens -----------------------------------------------------------------

class TokenTimeZoneTest : public AlicomServerTest,
                          public ::testing::WithParamInterface<const char*> {
 protected:
  ::mns::testutil::ScopedTimeZone zone_{GetParam()};
};

TEST_P(TokenTimeZoneTest, TokenTimesAreBeijingAndExpiryFollowsTheClock) {
  json token = Token();
  EXPECT_EQ(token["CreateTime"], "2024-01-01 10:00:00");
  EXPECT_EQ(token["ExpireTime"], "2024-01-01 11:00:00");
  EXPECT_THAT(token["AccessKeyId"].get<std::string>(),
              MatchesRegex("STS\\..+"));
  const std::string target = "/queues/" + kReportQueue + "/messages";
  EXPECT_EQ(WithToken(token, "GET", target).ErrorCode(), "MessageNotExist");
  Advance(3599);
  EXPECT_EQ(WithToken(token, "GET", target).ErrorCode(), "MessageNotExist");
  Advance(1);
  Reply expired = WithToken(token, "GET", target);
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(expired.ErrorCode(), "SecurityTokenExpired");
  EXPECT_EQ(WithToken(Token(), "GET", target).ErrorCode(), "MessageNotExist");
}

INSTANTIATE_TEST_SUITE_P(HostZones, TokenTimeZoneTest,
                         ::testing::Values("UTC", "Asia/Shanghai"));

TEST_F(AlicomServerTest, TokenOpensOnlyItsOwnQueueAndNeedsItsSecurityToken) {
  json token = Token();
  EXPECT_EQ(
      WithToken(token, "GET", "/queues/" + kUpQueue + "/messages").ErrorCode(),
      "AccessDenied");
  EXPECT_EQ(WithToken(token, "GET", "/queues").ErrorCode(), "AccessDenied");
  MnsTestClient no_token(server_->port(), {.id = token["AccessKeyId"],
                                           .secret = token["AccessKeySecret"]});
  Reply missing = no_token.Call("GET", "/queues/" + kReportQueue + "/messages");
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(missing.ErrorCode(), "InvalidSecurityToken");
}

TEST_F(AlicomServerTest, ExpiredTokenCodeIsASetting) {
  auto config = ParseConfig(R"({"alicom": {"token_lifetime_seconds": 60,
      "expired_token_code": "InvalidAccessKeyId", "expired_token_status": 401}})");
  ASSERT_TRUE(config.ok()) << config.status();
  Start(*config);
  json token = Token();
  EXPECT_EQ(token["ExpireTime"], "2024-01-01 10:01:00");
  Advance(60);
  Reply expired =
      WithToken(token, "GET", "/queues/" + kReportQueue + "/messages");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.ErrorCode(), "InvalidAccessKeyId");
}

TEST_F(AlicomServerTest, QueueNameMustMatchTheMessageType) {
  auto reply =
      pop_->Call("QueryTokenForMnsQueue",
                 {{"MessageType", "SmsReport"}, {"QueueName", kUpQueue}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json["Code"], "isv.INVALID_PARAMETERS");
  reply = pop_->Call("QueryTokenForMnsQueue",
                     {{"MessageType", "SmsUp"}, {"QueueName", kUpQueue}});
  EXPECT_EQ(reply.json["Code"], "OK");
}

// --- Receipts and outcome rules ---------------------------------------------

TEST_F(AlicomServerTest, ReceiptArrivesWhenTheClockReachesItsDelay) {
  std::string biz_id = Send("13800000000");
  EXPECT_THAT(biz_id, MatchesRegex("[0-9]{18}\\^0"));
  Advance(1);
  EXPECT_TRUE(Drain(kReportQueue).empty());
  Advance(1);
  std::vector<json> receipts = Drain(kReportQueue);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0]["biz_id"], biz_id);
  EXPECT_EQ(receipts[0]["success"], true);
  EXPECT_EQ(receipts[0]["send_time"], "2024-01-01 10:00:00");
  EXPECT_EQ(receipts[0]["report_time"], "2024-01-01 10:00:02");
}

// Before the advance delivered what it made due, the receipt thread raced
// the next request: a consumer polling at once, or QuerySendDetails,
// sometimes saw nothing. Many rounds, with every core kept busy as on a
// loaded CI machine, make that race show.
TEST_F(AlicomServerTest, WhatAnAdvanceMakesDueIsThereWhenItAnswers) {
  std::vector<std::jthread> load;
  for (unsigned i = 0; i < std::max(2u, std::thread::hardware_concurrency());
       ++i) {
    load.emplace_back([](std::stop_token stop) {
      while (!stop.stop_requested()) {
      }
    });
  }
  auto status_of = [&](const std::string& biz_id) {
    auto details =
        pop_->Call("QuerySendDetails", {{"PhoneNumber", "13800000000"},
                                        {"SendDate", "20240101"},
                                        {"BizId", biz_id},
                                        {"PageSize", "10"},
                                        {"CurrentPage", "1"}});
    return details
        .json["SmsSendDetailDTOs"]["SmsSendDetailDTO"][0]["SendStatus"];
  };
  for (int round = 0; round < 100; ++round) {
    std::string biz_id = Send("13800000000");
    Advance(2);
    EXPECT_EQ(Drain(kReportQueue).size(), 1u) << "round " << round;
    ASSERT_EQ(status_of(biz_id), 3) << "round " << round;
  }
  // QuerySendDetails settles what is due even when nobody advanced the
  // clock through the control API.
  std::string biz_id = Send("13800000000");
  server_->clock().Advance(std::chrono::seconds(2));
  EXPECT_EQ(status_of(biz_id), 3);
}

TEST_F(AlicomServerTest, EveryOutcomeRule) {
  PutRules(R"({"rules": [
    {"phone": "13900000001", "outcome": "failed", "err_code": "MK:0001", "err_msg": "空号"},
    {"phone": "13900000002", "reports": 0},
    {"phone": "13900000003", "reports": 2},
    {"phone": "13900000004", "delay_seconds": 100}]})");
  for (int i = 1; i <= 4; ++i) Send("1390000000" + std::to_string(i));
  Advance(2);
  // Three sends report now: the failure once, the duplicate twice.
  std::vector<json> receipts = Drain(kReportQueue);
  ASSERT_EQ(receipts.size(), 3u);
  EXPECT_EQ(receipts[0]["phone_number"], "13900000001");
  EXPECT_EQ(receipts[0]["success"], false);
  EXPECT_EQ(receipts[0]["err_code"], "MK:0001");
  EXPECT_EQ(receipts[1], receipts[2]);
  EXPECT_EQ(receipts[1]["phone_number"], "13900000003");
  // The never-reported send is settled all the same.
  auto details = pop_->Call("QuerySendDetails", {{"PhoneNumber", "13900000002"},
                                                 {"SendDate", "20240101"},
                                                 {"PageSize", "10"},
                                                 {"CurrentPage", "1"}});
  EXPECT_EQ(
      details.json["SmsSendDetailDTOs"]["SmsSendDetailDTO"][0]["SendStatus"],
      3);
  Advance(100);
  receipts = Drain(kReportQueue);
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0]["phone_number"], "13900000004");
}

TEST_F(AlicomServerTest, RulesControlValidatesAndReturnsTheRules) {
  auto bad = http_->Put("/_emulator/sms/rules",
                        R"({"rules": [{"phone": "1*", "outcome": "failed"}]})",
                        "application/json");
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("err_code"));
  auto wrapped =
      http_->Put("/_emulator/sms/rules",
                 R"({"rules": [{"phone": "1*", "reports": 4294967297}]})",
                 "application/json");
  EXPECT_EQ(wrapped->status, 400) << "2^32 + 1 must not become 1";
  PutRules(R"({"rules": [{"phone": "1*", "delay_seconds": 5}]})");
  auto got = json::parse(http_->Get("/_emulator/sms/rules")->body);
  EXPECT_EQ(got["rules"][0]["phone"], "1*");
  EXPECT_EQ(got["rules"][0]["delay_seconds"], 5);
  EXPECT_EQ(got["rules"][0]["outcome"], "delivered");
}

// --- QuerySendDetails
// ---------------------------------------------------------

TEST_F(AlicomServerTest, QuerySendDetailsShapesAndErrors) {
  std::string biz_id = Send("13800000000");
  auto query = [&](std::map<std::string, std::string> params) {
    std::map<std::string, std::string> all = {{"PhoneNumber", "13800000000"},
                                              {"SendDate", "20240101"},
                                              {"PageSize", "10"},
                                              {"CurrentPage", "1"}};
    for (auto& [k, v] : params) all[k] = v;
    return pop_->Call("QuerySendDetails", all);
  };
  auto pending = query({});
  EXPECT_EQ(pending.json["TotalCount"], 1);
  json dto = pending.json["SmsSendDetailDTOs"]["SmsSendDetailDTO"][0];
  EXPECT_EQ(dto["SendStatus"], 1);
  EXPECT_EQ(dto["Content"], "【阿里云】SMS_1");
  EXPECT_EQ(dto["SendDate"], "2024-01-01 10:00:00");
  EXPECT_FALSE(dto.contains("ReceiveDate"));
  Advance(2);
  dto = query({{"BizId", biz_id}})
            .json["SmsSendDetailDTOs"]["SmsSendDetailDTO"][0];
  EXPECT_EQ(dto["ErrCode"], "DELIVRD");
  EXPECT_EQ(dto["ReceiveDate"], "2024-01-01 10:00:02");

  auto empty = query({{"PhoneNumber", "13900000000"}});
  EXPECT_EQ(empty.json["TotalCount"], 0);
  EXPECT_EQ(empty.json["SmsSendDetailDTOs"],
            json({{"SmsSendDetailDTO", json::array()}}));
  for (auto bad :
       {std::map<std::string, std::string>{{"SendDate", "2024-01-01"}},
        {{"SendDate", "20231201"}},
        {{"PageSize", "51"}},
        {{"CurrentPage", "x"}}}) {
    auto reply = query(bad);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.json["Code"], "isv.INVALID_PARAMETERS");
    EXPECT_FALSE(reply.json.contains("SmsSendDetailDTOs"));
  }
}

// --- Gateway behaviour
// ---------------------------------------------------------

TEST_F(AlicomServerTest, GatewayErrorsHaveTheirCodesAndJsonShape) {
  auto missing = pop_->Call("SendSms", {}, "GET", {"Timestamp"});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.json["Code"], "MissingParameter");
  EXPECT_EQ(missing.json["Message"],
            "The input parameter \"Timestamp\" that is mandatory for "
            "processing this request is not supplied.");
  EXPECT_THAT(
      missing.json["RequestId"].get<std::string>(),
      MatchesRegex(
          "[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"));
  EXPECT_EQ(missing.json["HostId"],
            "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_THAT(missing.json["Recommend"].get<std::string>(),
              HasSubstr("q=MissingParameter&product=Dysmsapi"));
  EXPECT_EQ(missing.headers.find("x-acs-request-id")->second,
            missing.json["RequestId"]);
  EXPECT_EQ(missing.headers.find("Content-Type")->second,
            "application/json;charset=utf-8");

  EXPECT_EQ(pop_->Call("SendSms", {{"Timestamp", "yesterday"}}).json["Code"],
            "InvalidTimeStamp.Format");
  const std::string old =
      FormatIso8601(SystemClock().Now() - std::chrono::minutes(16));
  EXPECT_EQ(pop_->Call("SendSms", {{"Timestamp", old}}).json["Code"],
            "InvalidTimeStamp.Expired");
  auto unknown_key =
      PopTestClient(server_->port(), {.id = "nobody"}).Call("SendSms", {});
  EXPECT_EQ(unknown_key.status, 404);
  EXPECT_EQ(unknown_key.json["Code"], "InvalidAccessKeyId.NotFound");
  auto unknown_action = pop_->Call("NoSuch", {});
  EXPECT_EQ(unknown_action.status, 404);
  EXPECT_EQ(unknown_action.json["Code"], "InvalidAction.NotFound");
  EXPECT_EQ(pop_->Call("SendSms", {{"Version", "2020-01-01"}}).json["Code"],
            "InvalidVersion");
  EXPECT_EQ(pop_->Call("SendSms", {}).json["Code"], "MissingParameter");
}

TEST_F(AlicomServerTest, SignatureMismatchQuotesTheServersStringToSign) {
  auto reply = PopTestClient(server_->port(), {.secret = "wrong"})
                   .Call("SendSms", {{"PhoneNumbers", "13800000000"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["Code"], "SignatureDoesNotMatch");
  const std::string message = reply.json["Message"];
  const std::string prefix =
      "Specified signature is not matched with our calculation. server "
      "string to sign is:";
  ASSERT_TRUE(message.starts_with(prefix)) << message;
  // The quoted string, signed with the right secret, is what the server
  // expects: the check Java and Go SDKs make.
  EXPECT_THAT(
      message.substr(prefix.size()),
      MatchesRegex(
          "GET&%2F&AccessKeyId%3Dmns-emulator-key%26Action%3DSendSms.*"));
}

TEST_F(AlicomServerTest, LooseAuthAcceptsABadPopSignature) {
  EmulatorConfig config = DefaultConfig();
  config.auth = AuthMode::kLoose;
  Start(config);
  auto reply = PopTestClient(server_->port(), {.secret = "wrong"})
                   .Call("QueryTokenForMnsQueue", {{"MessageType", "SmsUp"}});
  EXPECT_EQ(reply.json["Code"], "OK") << reply.body;
}

TEST_F(AlicomServerTest, ANonceCannotBeUsedTwice) {
  auto first = pop_->Call("QueryTokenForMnsQueue", {{"MessageType", "SmsUp"},
                                                    {"SignatureNonce", "n-1"}});
  EXPECT_EQ(first.json["Code"], "OK");
  auto again = pop_->Call("QueryTokenForMnsQueue", {{"MessageType", "SmsUp"},
                                                    {"SignatureNonce", "n-1"}});
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.json["Code"], "SignatureNonceUsed");
}

TEST_F(AlicomServerTest, PostFormWithEmptyParamsAndAnyCaseFormat) {
  auto reply = pop_->Call("SendSms",
                          {{"PhoneNumbers", "13800000000"},
                           {"SignName", "阿里云"},
                           {"TemplateCode", "SMS_1"},
                           {"SecurityToken", ""},
                           {"SignatureType", ""},
                           {"Format", "json"}},
                          "POST");
  EXPECT_EQ(reply.json["Code"], "OK") << reply.body;
  auto xml = pop_->Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                    {"SignName", "阿里云"},
                                    {"TemplateCode", "SMS_1"},
                                    {"Format", "xml"}});
  EXPECT_EQ(xml.headers.find("Content-Type")->second, "text/xml;charset=utf-8");
  EXPECT_THAT(
      xml.body,
      MatchesRegex(
          R"(<\?xml version="1.0" encoding="UTF-8"\?><SendSmsResponse><Message>OK</Message><RequestId>[^<]+</RequestId><BizId>[0-9]{18}\^0</BizId><Code>OK</Code></SendSmsResponse>)"));
  auto xml_error = pop_->Call("NoSuch", {{"Format", "XML"}});
  EXPECT_THAT(xml_error.body, HasSubstr("<Error><RequestId>"));
  EXPECT_THAT(xml_error.body, HasSubstr("&amp;product=Dysmsapi"));
  EXPECT_THAT(xml_error.body, HasSubstr("<Code>InvalidAction.NotFound</Code>"));
}

TEST_F(AlicomServerTest, PlusInAQueryIsASpace) {
  // Signed over "SignName=a b", sent as "SignName=a+b" (form semantics).
  pop_->set_plus_for_spaces(true);
  auto reply = pop_->Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                      {"SignName", "a b"},
                                      {"TemplateCode", "SMS_1"}});
  EXPECT_EQ(reply.json["Code"], "OK") << reply.body;
  auto outbox =
      json::parse(http_->Get("/_emulator/sms?phone=13800000000")->body);
  EXPECT_EQ(outbox["messages"][0]["sign_name"], "a b");
}

TEST_F(AlicomServerTest, BusinessErrorsAreHttp200WithTheirCode) {
  auto reply = pop_->Call("SendSms", {{"PhoneNumbers", "12345"},
                                      {"SignName", "阿里云"},
                                      {"TemplateCode", "SMS_1"}});
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.json["Code"], "isv.MOBILE_NUMBER_ILLEGAL");
  EXPECT_EQ(reply.json["Message"], "非法手机号");
  EXPECT_FALSE(reply.json.contains("BizId"));
  EXPECT_FALSE(reply.json.contains("HostId"));
}

TEST_F(AlicomServerTest, SendBatchSmsGivesOneBizIdForEveryNumber) {
  auto reply =
      pop_->Call("SendBatchSms",
                 {{"PhoneNumberJson", R"(["13800000000","13900000000"])"},
                  {"SignNameJson", R"(["阿里云","阿里云"])"},
                  {"TemplateCode", "SMS_1"},
                  {"TemplateParamJson", R"([{"code":"1"},{"code":"2"}])"}},
                 "POST");
  ASSERT_EQ(reply.json["Code"], "OK") << reply.body;
  auto outbox =
      json::parse(http_
                      ->Get("/_emulator/sms?biz_id=" +
                            PopEncode(reply.json["BizId"].get<std::string>()))
                      ->body)["messages"];
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(outbox[1]["template_param"], R"({"code":"2"})");
  auto mismatched =
      pop_->Call("SendBatchSms", {{"PhoneNumberJson", R"(["13800000000"])"},
                                  {"SignNameJson", R"(["a","b"])"},
                                  {"TemplateCode", "SMS_1"}});
  EXPECT_EQ(mismatched.json["Code"], "isv.INVALID_PARAMETERS");
}

// --- Controls --------------------------------------------------------------

TEST_F(AlicomServerTest, OutboxListsFiltersAndClears) {
  Send("13800000000");
  Send("13900000000");
  auto all = json::parse(http_->Get("/_emulator/sms")->body)["messages"];
  EXPECT_EQ(all.size(), 2u);
  auto one = json::parse(http_->Get("/_emulator/sms?phone=13900000000")->body);
  ASSERT_EQ(one["messages"].size(), 1u);
  EXPECT_EQ(one["messages"][0]["content"], "【阿里云】SMS_1");
  EXPECT_EQ(
      json::parse(http_->Get("/_emulator/sms?template=SMS_9")->body)["messages"]
          .size(),
      0u);
  EXPECT_EQ(http_->Delete("/_emulator/sms")->status, 200);
  EXPECT_EQ(json::parse(http_->Get("/_emulator/sms")->body)["messages"].size(),
            0u);
}

TEST_F(AlicomServerTest, InjectedReplyCarriesTheSendsExtendCode) {
  Send("13800000000", "77");
  auto reply =
      http_->Post("/_emulator/sms/up",
                  R"({"phone_number": "13800000000", "content": "TD"})",
                  "application/json");
  ASSERT_EQ(reply->status, 200) << reply->body;
  auto replies = Drain(kUpQueue);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0]["dest_code"], "77");
  EXPECT_EQ(replies[0]["sign_name"], "阿里云");
  EXPECT_EQ(replies[0]["content"], "TD");
  EXPECT_EQ(replies[0]["send_time"], "2024-01-01 10:00:00");
  EXPECT_TRUE(replies[0]["sequence_id"].is_number());
  EXPECT_EQ(
      http_
          ->Post("/_emulator/sms/up", R"({"content": "x"})", "application/json")
          ->status,
      400);
}

TEST_F(AlicomServerTest, AlicomQueuesExistFromTheStartAndAfterReset) {
  for (const auto& queue : {kReportQueue, kUpQueue}) {
    EXPECT_TRUE(
        server_->queues().GetQueueAttributes("1943695596114318", queue).ok());
  }
  EXPECT_EQ(http_->Post("/_emulator/reset", "", "application/json")->status,
            200);
  EXPECT_TRUE(server_->queues()
                  .GetQueueAttributes("1943695596114318", kReportQueue)
                  .ok());
}

// --- Hostile input ----------------------------------------------------------

TEST_F(AlicomServerTest, ParametersThatAreNotUtf8AreRefusedAndNothingBreaks) {
  // The test client percent-encodes every byte: this arrives as OutId=%FF.
  auto reply = pop_->Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                      {"SignName", "阿里云"},
                                      {"TemplateCode", "SMS_1"},
                                      {"OutId", "\xFF"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["Code"], "InvalidParameter");
  EXPECT_THAT(reply.json["Message"].get<std::string>(), HasSubstr("OutId"));
  // The receipt thread and the server carry on.
  std::string biz_id = Send("13800000000");
  server_->clock().Advance(std::chrono::seconds(2));  // the thread's work
  std::vector<json> receipts;
  while (receipts.empty()) receipts = Drain(kReportQueue);
  EXPECT_EQ(receipts[0]["biz_id"], biz_id);
}

TEST_F(AlicomServerTest, EmptyMandatoryParametersAreMissing) {
  auto reply = pop_->Call("SendSms", {{"PhoneNumbers", ""},
                                      {"SignName", "阿里云"},
                                      {"TemplateCode", "SMS_1"}});
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(reply.json["Code"], "MissingParameter");
  EXPECT_THAT(reply.json["Message"].get<std::string>(),
              HasSubstr("\"PhoneNumbers\""));
}

TEST_F(AlicomServerTest, AThousandNumbersFitInOnePostForm) {
  std::string numbers;
  for (int i = 0; i < 1000; ++i) {
    numbers += (i ? "," : "") + std::to_string(13800000000LL + i);
  }
  auto reply = pop_->Call("SendSms",
                          {{"PhoneNumbers", numbers},
                           {"SignName", "阿里云"},
                           {"TemplateCode", "SMS_1"}},
                          "POST");
  EXPECT_EQ(reply.status, 200) << reply.body.substr(0, 300);
  EXPECT_EQ(reply.json["Code"], "OK");
  auto outbox = json::parse(http_->Get("/_emulator/sms")->body);
  EXPECT_EQ(outbox["messages"].size(), 1000u);
}

TEST_F(AlicomServerTest, ANineKilobyteTemplateParamFitsByGetAndByPost) {
  const std::string param =
      R"({"code":")" + std::string(9 * 1024, '7') + R"("})";
  for (const char* method : {"GET", "POST"}) {
    auto reply = pop_->Call("SendSms",
                            {{"PhoneNumbers", "13800000000"},
                             {"SignName", "阿里云"},
                             {"TemplateCode", "SMS_1"},
                             {"TemplateParam", param}},
                            method);
    EXPECT_EQ(reply.status, 200) << method;
    EXPECT_EQ(reply.json["Code"], "OK") << method;
  }
}

TEST_F(AlicomServerTest, AnOversizedRequestIsRefusedInPopShape) {
  EmulatorConfig config = DefaultConfig();
  config.max_request_bytes = 10'000;
  Start(config);
  auto reply = pop_->Call("SendSms",
                          {{"PhoneNumbers", "13800000000"},
                           {"SignName", "阿里云"},
                           {"TemplateCode", "SMS_1"},
                           {"TemplateParam", std::string(20'000, 'x')}},
                          "POST");
  ASSERT_EQ(reply.status, 413) << reply.body;
  ASSERT_TRUE(reply.json.is_object()) << reply.body;
  EXPECT_EQ(reply.json["Code"], "InvalidParameter");
  EXPECT_THAT(reply.json["Message"].get<std::string>(),
              HasSubstr("larger than 10000 bytes"));
  EXPECT_TRUE(reply.json.contains("RequestId"));
  EXPECT_TRUE(reply.json.contains("Recommend"));
}

TEST_F(AlicomServerTest, AbsoluteFormTargetsWorkForPop) {
  // What a client configured with an HTTP proxy sends. Signed over the
  // parameters, so the target's form does not matter to the signature.
  pop_->set_absolute_form(true);
  for (const char* method : {"GET", "POST"}) {
    auto reply = pop_->Call("SendSms",
                            {{"PhoneNumbers", "13800000000"},
                             {"SignName", "阿里云"},
                             {"TemplateCode", "SMS_1"}},
                            method);
    EXPECT_EQ(reply.json["Code"], "OK") << method << ": " << reply.body;
  }
}

}  // namespace
}  // namespace mns::emulator
