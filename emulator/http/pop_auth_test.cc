#include "emulator/http/pop_auth.h"

#include <gtest/gtest.h>

#include "mns/common/testing/signing_vectors.h"

namespace mns::emulator {
namespace {

using ::mns::testutil::LoadSigningVectors;
using ::mns::testutil::SigningVector;
using ::mns::testutil::SigningVectorName;

class PopV1VectorTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(PopV1VectorTest, VerifierComputesTheVectorsStringAndSignature) {
  const auto& v = GetParam().data;
  std::map<std::string, std::string> params;
  for (const auto& [name, value] : v["params"].items()) {
    params[name] = value.get<std::string>();
  }
  const std::string string_to_sign = PopV1StringToSign(v["method"], params);
  EXPECT_EQ(string_to_sign, v["string_to_sign"].get<std::string>());
  EXPECT_EQ(
      PopV1Signature(v["access_key_secret"].get<std::string>(), string_to_sign),
      v["signature"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PopV1VectorTest,
                         ::testing::ValuesIn(LoadSigningVectors("pop_v1.json")),
                         SigningVectorName);

class PopV3VectorTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(PopV3VectorTest,
       VerifierComputesTheVectorsCanonicalRequestAndSignature) {
  const auto& v = GetParam().data;
  std::map<std::string, std::string> query;
  std::string target = v["path"].get<std::string>();
  for (const auto& [name, value] : v["query"].items()) {
    query[name] = value.get<std::string>();
    target += (target.find('?') == std::string::npos ? "?" : "&") +
              PopEncode(name) + "=" + PopEncode(value.get<std::string>());
  }
  HttpRequest request{
      .method = v["method"], .target = target, .body = v["body"]};
  for (const auto& [name, value] : v["headers"].items()) {
    request.headers.emplace_back(name, value.get<std::string>());
  }
  request.headers.emplace_back("Authorization", v["authorization"]);
  auto auth = ParseAcsAuthorization(v["authorization"].get<std::string>());
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->access_key_id, v["access_key_id"].get<std::string>());
  const std::string canonical =
      PopV3CanonicalRequest(request, query, auth->signed_headers);
  EXPECT_EQ(canonical, v["canonical_request"].get<std::string>());
  const std::string string_to_sign = PopV3StringToSign(canonical);
  EXPECT_EQ(string_to_sign, v["string_to_sign"].get<std::string>());
  EXPECT_EQ(
      PopV3Signature(v["access_key_secret"].get<std::string>(), string_to_sign),
      auth->signature);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PopV3VectorTest,
                         ::testing::ValuesIn(LoadSigningVectors("pop_v3.json")),
                         SigningVectorName);

TEST(PopAuthTest, EncodesAsPopDoes) {
  EXPECT_EQ(PopEncode("a b*c~d/é"), "a%20b%2Ac~d%2F%C3%A9");
}

TEST(PopAuthTest, FormParamsReadPlusAsSpaceAndKeepEmptyValues) {
  std::map<std::string, std::string> params;
  ParseFormParams("SignName=a+b&SecurityToken=&X=%2B1&Flag", params);
  EXPECT_EQ(params["SignName"], "a b");
  EXPECT_EQ(params["SecurityToken"], "");
  EXPECT_EQ(params["X"], "+1");
  EXPECT_EQ(params.count("Flag"), 1u);
}

TEST(PopAuthTest, ParsesAcsAuthorization) {
  auto auth = ParseAcsAuthorization(
      "ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;X-Acs-Date,"
      "Signature=ab12");
  ASSERT_TRUE(auth.has_value());
  EXPECT_EQ(auth->signed_headers,
            (std::vector<std::string>{"host", "x-acs-date"}));
  EXPECT_FALSE(
      ParseAcsAuthorization("ACS3-HMAC-SHA256 Credential=ak").has_value());
  EXPECT_FALSE(ParseAcsAuthorization("MNS a:b").has_value());
}

}  // namespace
}  // namespace mns::emulator
