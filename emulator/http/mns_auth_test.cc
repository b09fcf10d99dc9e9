#include "emulator/http/mns_auth.h"

#include <gtest/gtest.h>

#include "emulator/http/mns_api.h"
#include "mns/common/testing/signing_vectors.h"

namespace mns::emulator {
namespace {

using ::mns::testutil::LoadSigningVectors;
using ::mns::testutil::SigningVector;
using ::mns::testutil::SigningVectorName;

class MnsV2VectorTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(MnsV2VectorTest, VerifierComputesTheVectorsStringAndSignature) {
  const auto& v = GetParam().data;
  HttpRequest request{.method = v["method"], .target = v["resource"]};
  for (const auto& [name, value] : v["headers"].items()) {
    request.headers.emplace_back(name, value.get<std::string>());
  }
  const std::string string_to_sign = MnsStringToSign(request);
  EXPECT_EQ(string_to_sign, v["string_to_sign"].get<std::string>());
  EXPECT_EQ(
      MnsSignature(v["access_key_secret"].get<std::string>(), string_to_sign),
      v["signature"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MnsV2VectorTest,
                         ::testing::ValuesIn(LoadSigningVectors("mns_v2.json")),
                         SigningVectorName);

TEST(MnsAuthTest, DateLineFallsBackToXMnsDate) {
  HttpRequest request{.method = "GET", .target = "/queues"};
  request.headers.emplace_back("x-mns-date", "Mon, 01 Jan 2024 00:00:00 GMT");
  EXPECT_EQ(MnsStringToSign(request),
            "GET\n\n\nMon, 01 Jan 2024 00:00:00 GMT\n"
            "x-mns-date:Mon, 01 Jan 2024 00:00:00 GMT\n/queues");
}

TEST(MnsAuthTest, ParsesAuthorizationHeader) {
  auto parsed = ParseMnsAuthorization("MNS ak1:cAThPWnbphg3hDe3ZHDADTgkgyE=");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->access_key_id, "ak1");
  EXPECT_EQ(parsed->signature, "cAThPWnbphg3hDe3ZHDADTgkgyE=");
  EXPECT_FALSE(ParseMnsAuthorization("MNS nocolon").has_value());
  EXPECT_FALSE(ParseMnsAuthorization("Bearer x:y").has_value());
  EXPECT_FALSE(ParseMnsAuthorization("MNS :sig").has_value());
  EXPECT_FALSE(ParseMnsAuthorization("MNS ak:").has_value());
}

}  // namespace
}  // namespace mns::emulator

namespace mns::emulator {
namespace {

TEST(AccountOfMnsHostTest, TakesTheAccountFromTheCloudsHostNames) {
  EXPECT_EQ(AccountOfMnsHost("1234.mns.cn-hangzhou.aliyuncs.com"), "1234");
  EXPECT_EQ(AccountOfMnsHost("1234.mns.cn-hangzhou-internal.aliyuncs.com:443"),
            "1234");
  EXPECT_EQ(AccountOfMnsHost("1234.MNS.cn-hangzhou.AliyunCS.com"), "1234");
  for (const char* other :
       {"127.0.0.1:9876", "localhost", "mns.cn-hangzhou.aliyuncs.com",
        ".mns.cn-hangzhou.aliyuncs.com", "1234.mns..aliyuncs.com",
        "1234.mns.aliyuncs.com", "a.b.mns.cn-hangzhou.aliyuncs.com",
        "1234.mns.cn-hangzhou.aliyuncs.com.evil.example",
        "dybaseapi.aliyuncs.com"}) {
    EXPECT_EQ(AccountOfMnsHost(other), std::nullopt) << other;
  }
}

}  // namespace
}  // namespace mns::emulator
