// alicom-receive, the built binary, against the in-process emulator: it
// prints and deletes receipts, speaks JSON, stops on Ctrl-C while a poll is
// parked, and fails clearly on a wrong key.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "client/testing/alicom_emulator_fixture.h"
#include "client/tools/emulator_clock.h"
#include "client/tools/sends_file.h"
#include "mns/common/testing/eventually.h"
#include "mns/common/testing/subprocess.h"
#include "mns/common/time_format.h"

namespace mns {
namespace {

using ::testing::HasSubstr;
using testutil::kAlicomAccount;
using testutil::kReportQueue;

class AlicomReceiveTest : public testutil::AlicomEmulatorTest {
 protected:
  void SetUp() override {
    AlicomEmulatorTest::SetUp();
    dir_ = std::filesystem::temp_directory_path() /
           ("alicom-receive-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Starts the tool with `flags` after the endpoint flags; stdout and
  // stderr go to files.
  pid_t Spawn(std::vector<std::string> flags) {
    std::vector<std::string> args = {ALICOM_RECEIVE_BIN, "--pop-endpoint",
                                     server_->address(), "--mns-endpoint",
                                     server_->address()};
    args.insert(args.end(), flags.begin(), flags.end());
    auto pid = testutil::Spawn(args, dir_ / "out", dir_ / "err");
    EXPECT_TRUE(pid.ok()) << pid.status();
    return pid.ok() ? *pid : -1;
  }

  static std::optional<int> Exit(pid_t pid, std::chrono::seconds limit) {
    return testutil::WaitForExit(pid, limit);
  }

  std::string Read(const char* name) {
    std::ifstream file(dir_ / name);
    std::stringstream text;
    text << file.rdbuf();
    return text.str();
  }

  void Send(const std::string& phone) {
    ASSERT_TRUE(alicom_
                    ->SendSms({.phone_numbers = {phone},
                               .sign_name = "阿里云",
                               .template_code = "SMS_1",
                               .out_id = "order-7"})
                    .ok());
  }

  std::filesystem::path dir_;
};

TEST_F(AlicomReceiveTest, PrintsEachReceiptAndDeletesIt) {
  server_->alicom().SetRules({{.phone = "13900000000",
                               .delivered = false,
                               .err_code = "MK:0001",
                               .err_msg = "空号"}});
  Send("13800000000");
  Send("13900000000");
  server_->clock().Advance(Duration(2000));
  pid_t pid = Spawn({"--max", "2", "--wait", "1"});
  EXPECT_EQ(Exit(pid, std::chrono::seconds(20)), 0) << Read("err");
  const std::string out = Read("out");
  EXPECT_THAT(out, HasSubstr("SmsReport 13800000000  delivered  biz_id "));
  EXPECT_THAT(out, HasSubstr("SmsReport 13900000000  FAILED MK:0001 空号"));
  EXPECT_THAT(out, HasSubstr("out_id order-7"));
  EXPECT_THAT(Read("err"),
              HasSubstr("stopped: 2 received, 2 printed, 2 deleted"));
  auto info =
      server_->queues().GetQueueAttributes(kAlicomAccount, kReportQueue);
  EXPECT_EQ(info->counts.active + info->counts.inactive, 0);
}

TEST_F(AlicomReceiveTest, PrintsRepliesAsJsonLines) {
  Send("13800000000");
  ASSERT_TRUE(server_->alicom()
                  .InjectSmsUp({.phone_number = "13800000000", .content = "TD"})
                  .ok());
  pid_t pid = Spawn({"--type", "SmsUp", "--json", "--max", "1", "--wait", "1"});
  EXPECT_EQ(Exit(pid, std::chrono::seconds(20)), 0) << Read("err");
  const std::string out = Read("out");
  ASSERT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  const auto line = nlohmann::json::parse(out);
  EXPECT_EQ(line["type"], "SmsUp");
  EXPECT_EQ(line["phone_number"], "13800000000");
  EXPECT_EQ(line["content"], "TD");
  EXPECT_EQ(line["sign_name"], "阿里云");
  EXPECT_TRUE(line["sequence_id"].is_number());
}

TEST_F(AlicomReceiveTest, CtrlCStopsAParkedPollAtOnce) {
  pid_t pid = Spawn({});  // a 30 s poll on a clock that does not move
  testutil::Eventually([&] { return server_->queues().ParkedReceives() > 0; },
                       std::chrono::seconds(20), Duration(10));
  ASSERT_EQ(server_->queues().ParkedReceives(), 1u) << Read("err");
  kill(pid, SIGINT);
  EXPECT_EQ(Exit(pid, std::chrono::seconds(5)), 0);
  EXPECT_THAT(Read("err"), HasSubstr("stopped: 0 received"));
}

TEST_F(AlicomReceiveTest, AWrongKeyFailsWithTheGatewaysCode) {
  pid_t pid = Spawn({"--access-key-secret", "wrong"});
  EXPECT_EQ(Exit(pid, std::chrono::seconds(20)), 1);
  EXPECT_THAT(Read("err"),
              HasSubstr("no token: SignatureDoesNotMatch: no valid Alicom "
                        "token; the refresh failed: Specified signature is not "
                        "matched with our calculation."));
}

// Code written for the cloud, pointed at an emulator with --tls: the
// cloud's host names, the emulator's CA.
TEST_F(AlicomReceiveTest, ReceivesOverHttpsFromTheCloudsHostNames) {
  emulator::EmulatorConfig config = emulator::DefaultConfig();
  config.port = 0;
  config.tls.enabled = true;
  config.tls.identity.dir = (dir_ / "tls").string();
  auto https = emulator::Server::Start(config);
  ASSERT_TRUE(https.ok()) << https.status();
  const std::string ca_file = (*https)->tls_identity().ca_file;
  AlicomClient sender(ClientOptions{.endpoint = (*https)->address(),
                                    .credentials = DefaultKeys(),
                                    .ca_file = ca_file});
  ASSERT_TRUE(sender
                  .SendSms({.phone_numbers = {"13800000000"},
                            .sign_name = "阿里云",
                            .template_code = "SMS_1"})
                  .ok());
  (*https)->clock().Advance(Duration(2000));
  const std::string port = std::to_string((*https)->port());
  const std::string mns_host =
      std::string(kAlicomAccount) + ".mns.cn-hangzhou.aliyuncs.com";
  const std::vector<std::string> cloud = {
      "--pop-endpoint",
      "https://dybaseapi.aliyuncs.com:" + port,
      "--mns-endpoint",
      "https://" + mns_host + ":" + port,
      "--resolve",
      "dybaseapi.aliyuncs.com=127.0.0.1," + mns_host + "=127.0.0.1",
      "--max",
      "1",
      "--wait",
      "1"};

  std::vector<std::string> untrusting = cloud;
  EXPECT_EQ(Exit(Spawn(untrusting), std::chrono::seconds(20)), 1);
  EXPECT_THAT(Read("err"),
              HasSubstr("the server's TLS certificate is not trusted "
                        "(self-signed certificate in certificate chain)"));

  std::vector<std::string> trusting = cloud;
  trusting.insert(trusting.end(), {"--ca-file", ca_file});
  EXPECT_EQ(Exit(Spawn(trusting), std::chrono::seconds(20)), 0) << Read("err");
  EXPECT_THAT(Read("out"), HasSubstr("SmsReport 13800000000  delivered"));

  std::vector<std::string> bad = cloud;
  bad.insert(bad.end(), {"--resolve", "dybaseapi.aliyuncs.com"});
  EXPECT_EQ(Exit(Spawn(bad), std::chrono::seconds(20)), 2);
  EXPECT_THAT(Read("err"), HasSubstr("--resolve takes HOST=ADDRESS"));
}

TEST_F(AlicomReceiveTest, RefusesAnUnknownFlagOrAMissingValueWithUsage) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--bogus", "1"},
        std::vector<std::string>{"--max"},
        std::vector<std::string>{"--wait", "--json"},
        std::vector<std::string>{"-x"}}) {
    pid_t pid = Spawn(args);
    EXPECT_EQ(Exit(pid, std::chrono::seconds(20)), 2) << args[0];
    EXPECT_THAT(Read("err"), HasSubstr("usage: alicom-receive")) << args[0];
  }
}

TEST_F(AlicomReceiveTest, LooksUpASendWhoseReceiptNeverCame) {
  server_->alicom().SetRules({{.phone = "13700000000", .reports = 0}});
  auto sent = alicom_->SendSms({.phone_numbers = {"13700000000"},
                                .sign_name = "阿里云",
                                .template_code = "SMS_1"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  std::ofstream(dir_ / "sends")
      << R"({"biz_id":")" << sent->biz_id
      << R"(","phone_number":"13700000000","sent_at":")"
      << FormatIso8601(server_->clock().Now()) << "\"}\nnot json\n";
  pid_t pid = Spawn({"--sends-file", (dir_ / "sends").string(), "--clock-url",
                     server_->address() + "/_emulator/clock",
                     "--receipt-deadline", "30", "--max", "1", "--wait", "1"});
  // Its first pass has read the file (it skipped the bad line) and found
  // nothing overdue: that waits for the emulator's clock.
  testutil::Eventually(
      [&] {
        return Read("err").find("not a JSON object") != std::string::npos;
      },
      std::chrono::seconds(20), Duration(10));
  EXPECT_THAT(Read("err"), HasSubstr("sends:2: not a JSON object"));
  EXPECT_EQ(Read("out"), "");
  server_->clock().Advance(std::chrono::seconds(31));
  EXPECT_EQ(Exit(pid, std::chrono::seconds(20)), 0) << Read("err");
  EXPECT_THAT(
      Read("out"),
      HasSubstr("SendDetail 13700000000  delivered  biz_id " + sent->biz_id));
}

TEST(SendsFileTest, ReadsOnlyWholeLinesAppendedSinceTheLastRead) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("sends-" + std::to_string(getpid()));
  std::vector<std::string> problems;
  tools::SendsFile sends(path.string());
  EXPECT_TRUE(sends.ReadNew(problems).empty());  // no file yet
  std::ofstream(path) << R"({"biz_id":"1^0","phone_number":"138",)"
                      << R"("sent_at":"2024-01-01T00:00:00Z"})"
                      << "\n"
                      << R"({"biz_id":"2^0","phone_nu)";  // being written
  auto first = sends.ReadNew(problems);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].biz_id, "1^0");
  EXPECT_EQ(first[0].phone_number, "138");
  EXPECT_EQ(ToUnixMillis(first[0].sent_at), 1'704'067'200'000);
  std::ofstream(path, std::ios::app)
      << R"(mber":"139","sent_at":"2024-01-01T00:00:01Z"})"
      << "\n"
      << R"({"biz_id":"3^0","phone_number":"139"})"
      << "\n\n[1]\n";
  auto second = sends.ReadNew(problems);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].biz_id, "2^0");
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_THAT(problems[0], HasSubstr(":3: needs biz_id, phone_number"));
  EXPECT_THAT(problems[1], HasSubstr(":5: not a JSON object"));
  EXPECT_TRUE(sends.ReadNew(problems).empty());
  std::filesystem::remove(path);
}

TEST_F(AlicomReceiveTest, TheEmulatorClockFollowsAnAdvance) {
  auto clock = tools::EmulatorClock::Connect(
      server_->address() + "/_emulator/clock", Duration(0));
  ASSERT_TRUE(clock.ok()) << clock.status();
  const TimePoint before = (*clock)->Now();
  EXPECT_LE(before, server_->clock().Now());
  server_->clock().Advance(std::chrono::hours(2));
  EXPECT_GE((*clock)->Now(), before + std::chrono::hours(2));
  // What is not a clock is refused at once.
  EXPECT_FALSE(tools::EmulatorClock::Connect("nonsense").ok());
  EXPECT_FALSE(
      tools::EmulatorClock::Connect(server_->address() + "/_emulator/health")
          .ok());
}

}  // namespace
}  // namespace mns
