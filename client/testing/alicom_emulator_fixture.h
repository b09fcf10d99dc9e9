// The fixture the client's integration tests share: an in-process emulator
// on port 0, an AlicomClient with the default key pair, a token provider
// that measures expiry on the emulator's clock (so advancing it exercises
// refresh), and an MnsClient that signs with those tokens.
#ifndef MNS_CLIENT_TESTING_ALICOM_EMULATOR_FIXTURE_H_
#define MNS_CLIENT_TESTING_ALICOM_EMULATOR_FIXTURE_H_

#include <gtest/gtest.h>

#include <memory>

#include "emulator/http/server.h"
#include "mns/alicom_client.h"
#include "mns/mns_client.h"
#include "mns/token_provider.h"

namespace mns::testutil {

inline constexpr char kAlicomAccount[] = "1943695596114318";
inline constexpr char kReportQueue[] =
    "Alicom-Queue-1234567890123456-SmsReport";

class AlicomEmulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::EmulatorConfig config = emulator::DefaultConfig();
    config.port = 0;
    auto server = emulator::Server::Start(config);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    clock_ = std::shared_ptr<Clock>(&server_->clock(), [](Clock*) {});
    alicom_ = std::make_shared<AlicomClient>(ClientOptions{
        .endpoint = server_->address(), .credentials = DefaultKeys()});
    tokens_ = std::make_shared<AlicomTokenProvider>(
        alicom_, "SmsReport", AlicomTokenProvider::Options{.clock = clock_});
    mns_ = std::make_shared<MnsClient>(
        ClientOptions{.endpoint = server_->address(), .credentials = tokens_});
  }

  static std::shared_ptr<CredentialsProvider> DefaultKeys() {
    return MakeStaticCredentials("mns-emulator-key", "mns-emulator-secret");
  }

  std::unique_ptr<emulator::Server> server_;
  std::shared_ptr<Clock> clock_;
  std::shared_ptr<AlicomClient> alicom_;
  std::shared_ptr<AlicomTokenProvider> tokens_;
  std::shared_ptr<MnsClient> mns_;  // signs with tokens_
};

}  // namespace mns::testutil

#endif  // MNS_CLIENT_TESTING_ALICOM_EMULATOR_FIXTURE_H_
