// The clients over HTTPS against the in-process emulator with --tls: the
// generated CA trusted through ClientOptions::ca_file, the cloud's host
// names pointed at loopback with ClientOptions::resolve (inside this process
// only), and the errors a client gets when the certificate is not to be
// trusted.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "emulator/http/server.h"
#include "emulator/http/tls_identity.h"
#include "mns/alicom_client.h"
#include "mns/mns_client.h"
#include "mns/token_provider.h"

namespace mns {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kAccount[] = "1234567890123456";
constexpr char kAlicomAccount[] = "1943695596114318";

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteAll(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

class TlsEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) /
        ("tls-" +
         std::string(
             ::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    server_ = Start(
        [&](emulator::EmulatorConfig& config) { config.tls.enabled = true; });
  }

  std::unique_ptr<emulator::Server> Start(
      const std::function<void(emulator::EmulatorConfig&)>& configure) {
    emulator::EmulatorConfig config = emulator::DefaultConfig();
    config.port = 0;
    config.tls.identity.dir = (dir_ / "generated").string();
    configure(config);
    auto server = emulator::Server::Start(config);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(server).value() : nullptr;
  }

  std::string ca_file() const { return server_->tls_identity().ca_file; }

  // The emulator's port under a host name of the cloud's.
  std::string At(const std::string& host, const emulator::Server& server) {
    return "https://" + host + ":" + std::to_string(server.port());
  }

  ClientOptions Options(std::string endpoint) const {
    return ClientOptions{.endpoint = std::move(endpoint),
                         .credentials = MakeStaticCredentials(
                             "mns-emulator-key", "mns-emulator-secret"),
                         .retry = {.max_attempts = 1},
                         .ca_file = ca_file()};
  }

  // A server on a certificate the generated CA signed for `names`, valid
  // from `not_before` to `not_after`.
  std::unique_ptr<emulator::Server> StartWithCertificate(
      const std::vector<std::string>& names, TimePoint not_before,
      TimePoint not_after) {
    const fs::path generated = dir_ / "generated";
    auto issued = emulator::IssueServerCertificate(
        {ReadAll(generated / "ca.pem"), ReadAll(generated / "ca-key.pem")},
        names, not_before, not_after);
    EXPECT_TRUE(issued.ok()) << issued.status();
    WriteAll(dir_ / "own.pem", issued->certificate);
    WriteAll(dir_ / "own-key.pem", issued->private_key);
    return Start([&](emulator::EmulatorConfig& config) {
      config.tls.enabled = true;
      config.tls.identity.certificate_file = (dir_ / "own.pem").string();
      config.tls.identity.key_file = (dir_ / "own-key.pem").string();
    });
  }

  fs::path dir_;
  std::unique_ptr<emulator::Server> server_;
};

TEST_F(TlsEmulatorTest, TrustsTheGeneratedCa) {
  ASSERT_THAT(server_->address(), ::testing::StartsWith("https://"));
  MnsClient client(Options(server_->address()));
  ASSERT_TRUE(client.CreateQueue("q").ok());
  auto sent = client.SendMessage("q", {.body = "over TLS"});
  ASSERT_TRUE(sent.ok()) << sent.status();
  auto received = client.ReceiveMessage("q", 1);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, "over TLS");
  EXPECT_TRUE(client.DeleteMessage("q", received->receipt_handle).ok());
}

// The receipt loop as a consumer written for the cloud makes it: the token
// from dybaseapi.aliyuncs.com, the queue at the Alicom account's own host.
TEST_F(TlsEmulatorTest, ServesTheCloudsHostNames) {
  ClientOptions pop = Options(At("dybaseapi.aliyuncs.com", *server_));
  pop.resolve = {{"dybaseapi.aliyuncs.com", "127.0.0.1"}};
  auto alicom = std::make_shared<AlicomClient>(pop);
  auto tokens = std::make_shared<AlicomTokenProvider>(
      alicom, "SmsReport", AlicomTokenProvider::Options{});
  const std::string host =
      std::string(kAlicomAccount) + ".mns.cn-hangzhou.aliyuncs.com";
  ClientOptions mns = Options(At(host, *server_));
  mns.resolve = {{host, "127.0.0.1"}};
  mns.credentials = tokens;
  MnsClient client(mns);
  auto polled = client.ReceiveMessage(
      "Alicom-Queue-" + std::string(kAccount) + "-SmsReport", 0);
  EXPECT_EQ(polled.status().error_code(), "MessageNotExist") << polled.status();
}

TEST_F(TlsEmulatorTest, AVirtualHostOfAnotherAccountIsDenied) {
  for (const auto& [account, code] :
       std::vector<std::pair<std::string, std::string>>{
           {kAccount, ""}, {"9999999999999999", "AccessDenied"}}) {
    const std::string host = account + ".mns.cn-hangzhou.aliyuncs.com";
    ClientOptions options = Options(At(host, *server_));
    options.resolve = {{host, "127.0.0.1"}};
    auto listed = MnsClient(options).ListQueues("", "", 10);
    EXPECT_EQ(listed.status().error_code(), code) << host;
  }
}

// With authentication off no key is checked, so the host chooses among the
// configured accounts.
TEST_F(TlsEmulatorTest, WithAuthOffTheHostChoosesTheAccount) {
  auto open = Start([](emulator::EmulatorConfig& config) {
    config.tls.enabled = true;
    config.auth = emulator::AuthMode::kOff;
    config.accounts.push_back({.id = "5555", .uid = "5555"});
  });
  ASSERT_NE(open, nullptr);
  const std::string host = "5555.mns.cn-hangzhou.aliyuncs.com";
  ClientOptions options = Options(At(host, *open));
  options.resolve = {{host, "127.0.0.1"}};
  auto created = MnsClient(options).CreateQueue("q-of-5555");
  ASSERT_TRUE(created.ok()) << created.status();
  auto listed = open->queues().ListQueues("5555", "", "", 10);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->queues.size(), 1u);
  EXPECT_EQ(listed->queues[0].name, "q-of-5555");
  auto in_default = MnsClient(Options(open->address())).ListQueues();
  ASSERT_TRUE(in_default.ok());
  EXPECT_TRUE(in_default->queue_names.empty());
}

TEST_F(TlsEmulatorTest, WithoutTheCaTheCallFailsClearly) {
  ClientOptions options = Options(server_->address());
  options.ca_file.clear();
  auto listed = MnsClient(options).ListQueues("", "", 10);
  EXPECT_EQ(listed.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(listed.status().message(),
              HasSubstr("the server's TLS certificate is not trusted "
                        "(self-signed certificate in certificate chain); "
                        "set ClientOptions::ca_file"));
}

TEST_F(TlsEmulatorTest, AnExpiredCertificateIsRefused) {
  const TimePoint now = SystemClock().Now();
  auto expired =
      StartWithCertificate({"127.0.0.1"}, now - std::chrono::hours(48),
                           now - std::chrono::hours(24));
  ASSERT_NE(expired, nullptr);
  auto listed = MnsClient(Options(expired->address())).ListQueues("", "", 10);
  EXPECT_THAT(listed.status().message(),
              HasSubstr("not trusted (certificate has expired); it was "
                        "checked against the CAs in " +
                        ca_file()));
}

TEST_F(TlsEmulatorTest, ACertificateForAnotherNameIsRefused) {
  const TimePoint now = SystemClock().Now();
  auto wrong =
      StartWithCertificate({"other.example"}, now - std::chrono::hours(1),
                           now + std::chrono::hours(24));
  ASSERT_NE(wrong, nullptr);
  auto listed = MnsClient(Options(wrong->address())).ListQueues("", "", 10);
  EXPECT_THAT(listed.status().message(),
              HasSubstr("not trusted (it does not name the host in https://"
                        "127.0.0.1:"));
}

TEST_F(TlsEmulatorTest, PlainHttpAndHttpsServeTheSameState) {
  auto both =
      Start([](emulator::EmulatorConfig& config) { config.tls.port = 0; });
  ASSERT_NE(both, nullptr);
  ASSERT_THAT(both->address(), ::testing::StartsWith("http://"));
  ASSERT_THAT(both->tls_address(), ::testing::StartsWith("https://"));
  ClientOptions plain = Options(both->address());
  ASSERT_TRUE(MnsClient(plain).CreateQueue("shared").ok());
  ClientOptions secure = Options(both->tls_address());
  secure.ca_file = both->tls_identity().ca_file;
  auto seen = MnsClient(secure).GetQueueAttributes("shared");
  ASSERT_TRUE(seen.ok()) << seen.status();
  EXPECT_EQ(seen->name, "shared");
}

}  // namespace
}  // namespace mns
