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
  expect_error(R"({"settings": {"strict": true}})",
               "$.settings.strict: unknown setting");
  expect_error(R"({"settings": {"batch_send_failure_status": 200}})",
               "error statuses must be 400..599");
}

}  // namespace
}  // namespace mns::emulator
