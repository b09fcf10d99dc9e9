#include "emulator/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mns::emulator {
namespace {

using ::testing::HasSubstr;

TEST(ConfigTest, DefaultHasOneAccountWithTheDocumentedKeyPair) {
  EmulatorConfig config = DefaultConfig();
  ASSERT_EQ(config.accounts.size(), 1u);
  EXPECT_EQ(config.accounts[0].id, "1234567890123456");
  EXPECT_EQ(config.accounts[0].access_keys[0].id, "mns-emulator-key");
  EXPECT_EQ(config.accounts[0].access_keys[0].secret, "mns-emulator-secret");
  EXPECT_EQ(config.port, 9876);
  EXPECT_EQ(config.auth, AuthMode::kStrict);
}

TEST(ConfigTest, EmptyObjectIsTheDefault) {
  auto config = ParseConfig("{}");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->accounts[0].id, "1234567890123456");
}

TEST(ConfigTest, ParsesEveryField) {
  auto config = ParseConfig(R"({
    "host": "0.0.0.0", "port": 0, "auth": "loose", "seed": 7,
    "frozen_clock_ms": 1700000000000,
    "accounts": [{"id": "42", "access_keys": [{"id": "k", "secret": "s"}]}],
    "queues": [{"name": "orders", "attributes": {"VisibilityTimeout": 60,
                                                 "LoggingEnabled": true}}],
    "settings": {"strict_receipt_handles": true, "time_expired_status": 403,
                 "max_clock_skew_seconds": 60},
    "max_request_bytes": 1000, "max_connection_threads": 64,
    "keep_alive_seconds": 9
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->host, "0.0.0.0");
  EXPECT_EQ(config->port, 0);
  EXPECT_EQ(config->auth, AuthMode::kLoose);
  EXPECT_EQ(config->seed, 7u);
  EXPECT_EQ(config->frozen_clock_ms, 1700000000000);
  ASSERT_EQ(config->accounts.size(), 1u);
  EXPECT_EQ(config->accounts[0].access_keys[0].secret, "s");
  ASSERT_EQ(config->queues.size(), 1u);
  EXPECT_EQ(config->queues[0].attributes.visibility_timeout, 60);
  EXPECT_EQ(config->queues[0].attributes.logging_enabled, true);
  EXPECT_FALSE(config->queues[0].attributes.delay_seconds.has_value());
  EXPECT_TRUE(config->queue_settings.strict_receipt_handles);
  EXPECT_EQ(config->wire_settings.time_expired_status, 403);
  EXPECT_EQ(config->wire_settings.max_clock_skew, Duration(60'000));
  EXPECT_EQ(config->max_request_bytes, 1000u);
  EXPECT_EQ(config->keep_alive_seconds, 9);
}

TEST(ConfigTest, ParsesTheAlicomSection) {
  auto config = ParseConfig(R"({
    "accounts": [{"id": "42", "uid": "1092397003988387",
                  "access_keys": [{"id": "k", "secret": "s"}]}],
    "alicom": {"mns_account_id": "1", "token_lifetime_seconds": 600,
               "expired_token_code": "AccessDenied", "expired_token_status": 401,
               "report_delay_seconds": 0, "sign_names": ["阿里云"],
               "templates": {"SMS_1": "验证码${code}"},
               "rules": [{"phone": "139*", "outcome": "failed",
                          "err_code": "MK:0001", "err_msg": "空号",
                          "reports": 2, "delay_seconds": 5}]}
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->accounts[0].uid, "1092397003988387");
  EXPECT_EQ(config->alicom.mns_account_id, "1");
  EXPECT_EQ(config->alicom.token_lifetime, Duration(600'000));
  EXPECT_EQ(config->wire_settings.expired_token_code, "AccessDenied");
  EXPECT_EQ(config->wire_settings.expired_token_status, 401);
  EXPECT_EQ(config->alicom.sms.report_delay_seconds, 0);
  EXPECT_EQ(config->alicom.sms.sign_names[0], "阿里云");
  EXPECT_EQ(config->alicom.sms.templates.at("SMS_1"), "验证码${code}");
  ASSERT_EQ(config->alicom.sms.rules.size(), 1u);
  const OutcomeRule& rule = config->alicom.sms.rules[0];
  EXPECT_FALSE(rule.delivered);
  EXPECT_EQ(rule.err_code, "MK:0001");
  EXPECT_EQ(rule.reports, 2);
  EXPECT_EQ(rule.delay_seconds, 5);
  EXPECT_EQ(OutcomeRulesToJson(config->alicom.sms.rules)[0]["outcome"],
            "failed");
  // An account without a uid uses its id.
  EXPECT_EQ(ParseConfig(R"({"accounts": [{"id": "7"}]})")->accounts[0].uid,
            "7");
}

TEST(ConfigTest, ErrorsNameTheJsonPath) {
  auto expect_error = [](const std::string& json, const std::string& text) {
    auto config = ParseConfig(json);
    ASSERT_FALSE(config.ok()) << json;
    EXPECT_THAT(config.status().message(), HasSubstr(text)) << json;
  };
  expect_error("not json", "not valid JSON");
  expect_error("[]", "config $: must be an object");
  expect_error(R"({"prot": 1})", "config $.prot: unknown field");
  expect_error(R"({"port": "80"})", "config $.port: must be an integer");
  expect_error(R"({"port": 70000})", "config $.port: must be 0..65535");
  expect_error(R"({"auth": "maybe"})", "auth must be strict, loose or off");
  expect_error(R"({"accounts": []})", "$.accounts: must be a non-empty array");
  expect_error(R"({"accounts": [{"id": "1", "access_keys": [{"id": "k"}]}]})",
               "$.accounts[0].access_keys[0]: needs an id and a secret");
  expect_error(R"({"queues": [{"name": "q", "attributes": {"Delay": 1}}]})",
               "$.queues[0].attributes.Delay: unknown queue attribute");
  // Every object refuses keys it does not read, nested ones included.
  expect_error(R"({"queues": [{"name": "q", "atributes": {}}]})",
               "$.queues[0].atributes: unknown field");
  expect_error(
      R"({"accounts": [{"id": "1", "access_keys": [{"id": "k", "secret": "s", "scret": "t"}]}]})",
      "$.accounts[0].access_keys[0].scret: unknown field");
  expect_error(R"({"settings": {"strict": true}})",
               "$.settings.strict: unknown setting");
  expect_error(R"({"settings": {"batch_send_failure_status": 200}})",
               "error statuses must be 400..599");
  expect_error(R"({"alicom": {"rules": [{"phone": "1", "reports": 3}]}})",
               "$.alicom.rules[0].reports: must be 0, 1 or 2");
  expect_error(R"({"alicom": {"rules": [{"outcome": "failed"}]}})",
               "$.alicom.rules[0].phone: is required");
  expect_error(R"({"alicom": {"token_lifetime_seconds": 0}})",
               "$.alicom.token_lifetime_seconds: must be positive");
}

TEST(ConfigTest, IntegersOutsideTheirFieldsRangeAreErrorsNotTruncated) {
  auto expect_error = [](const std::string& json, const std::string& text) {
    auto config = ParseConfig(json);
    ASSERT_FALSE(config.ok()) << json;
    EXPECT_THAT(config.status().message(), HasSubstr(text)) << json;
  };
  // 4294967297 is 2^32 + 1: stored in an int it was 1.
  expect_error(
      R"({"alicom": {"rules": [{"phone": "1", "reports": 4294967297}]}})",
      "$.alicom.rules[0].reports");
  expect_error(R"({"port": 4294967297})", "$.port");
  expect_error(R"({"keep_alive_seconds": 9223372036854775807})",
               "$.keep_alive_seconds");
  expect_error(R"({"max_header_count": -1})", "$.max_header_count");
  expect_error(R"({"seed": -1})", "$.seed");
  expect_error(R"({"tls": {"port": 70000}})", "$.tls.port: must be 0..65535");
  expect_error(R"({"tls": {"names": "e.test"}})",
               "$.tls.names: must be an array");
  expect_error(R"({"tls": {"names": [1]}})", "$.tls.names: must hold strings");
  expect_error(R"({"tls": {"dir": ""}})", "$.tls.dir: must name a directory");
  expect_error(R"({"tls": {"enable": true}})", "$.tls.enable: unknown field");
  expect_error(R"({"alicom": {"max_records": 0}})",
               "$.alicom.max_records: must be positive");
  expect_error(R"({"alicom": {"max_pending_reports": -5}})",
               "$.alicom.max_pending_reports");
  expect_error(
      R"({"queues": [{"name": "q", "attributes": {"DelaySeconds": 1e300}}]})",
      "$.queues[0].attributes.DelaySeconds");
  auto ok = ParseConfig(
      R"({"alicom": {"max_records": 5, "max_pending_reports": 7}})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->alicom.sms.max_records, 5u);
  EXPECT_EQ(ok->alicom.sms.max_pending_reports, 7u);
}

TEST(ConfigTest, PrintedConfigParsesBackToTheSameConfig) {
  auto config = ParseConfig(R"({
    "seed": 7, "frozen_clock_ms": 1700000000000, "control_token": "t0k3n-value",
    "accounts": [{"id": "1", "uid": "9", "access_keys": [{"id": "k", "secret": "s"}]}],
    "queues": [{"name": "q", "attributes": {"VisibilityTimeout": 60, "LoggingEnabled": true}}],
    "settings": {"strict_receipt_handles": true, "max_clock_skew_seconds": 60},
    "alicom": {"templates": {"SMS_1": "x${code}"}, "sign_names": ["s"],
               "rules": [{"phone": "138*", "outcome": "failed", "err_code": "E"}]},
    "topics": {"allowed_hosts": ["*.example"], "http_timeout_ms": 900},
    "tls": {"port": 9443, "dir": "/tmp/t", "regions": ["cn-shanghai"], "names": ["e.test"]},
    "faults": [{"operation": "ReceiveMessage", "times": 2, "error": "InternalError"}],
    "log_level": "debug"
  })");
  ASSERT_TRUE(config.ok()) << config.status();
  const nlohmann::json printed = ConfigToJson(*config, /*mask_secrets=*/false);
  auto again = ParseConfig(printed.dump());
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << printed.dump(2);
  EXPECT_EQ(ConfigToJson(*again, false), printed);
  EXPECT_EQ(printed["topics"]["allowed_hosts"][0], "*.example");
  EXPECT_EQ(printed["faults"][0]["times"], 2);
  EXPECT_EQ(printed["tls"]["port"], 9443);
  EXPECT_EQ(printed["tls"]["regions"][0], "cn-shanghai");
  // Masked: no secret appears.
  const std::string masked = ConfigToJson(*config, true).dump();
  EXPECT_THAT(masked, testing::Not(HasSubstr("\"s\"}")));
  EXPECT_THAT(masked, testing::Not(HasSubstr("t0k3n-value")));
  EXPECT_THAT(masked, HasSubstr("\"secret\":\"****\""));
}

}  // namespace
}  // namespace mns::emulator
