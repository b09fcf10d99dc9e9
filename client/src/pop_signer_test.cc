#include "client/src/pop_signer.h"

#include <gtest/gtest.h>

#include "mns/common/testing/signing_vectors.h"

namespace mns::internal {
namespace {

using ::mns::testutil::LoadSigningVectors;
using ::mns::testutil::SigningVector;
using ::mns::testutil::SigningVectorName;

std::map<std::string, std::string> Params(const nlohmann::json& object) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : object.items()) out[name] = value;
  return out;
}

class PopV1SignerTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(PopV1SignerTest, SignerProducesTheVectorsStringAndSignature) {
  const auto& v = GetParam().data;
  const std::string string_to_sign =
      PopV1StringToSign(v["method"], Params(v["params"]));
  EXPECT_EQ(string_to_sign, v["string_to_sign"].get<std::string>());
  EXPECT_EQ(PopV1Sign(v["access_key_secret"], string_to_sign),
            v["signature"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PopV1SignerTest,
                         ::testing::ValuesIn(LoadSigningVectors("pop_v1.json")),
                         SigningVectorName);

class PopV3SignerTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(PopV3SignerTest, SignerProducesTheVectorsCanonicalRequestAndSignature) {
  const auto& v = GetParam().data;
  const std::string canonical = PopV3CanonicalRequest(
      v["method"], Params(v["query"]), Params(v["headers"]),
      v["headers"]["x-acs-content-sha256"]);
  EXPECT_EQ(canonical, v["canonical_request"].get<std::string>());
  EXPECT_EQ(PopV3Sign(v["access_key_secret"], canonical),
            v["signature"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, PopV3SignerTest,
                         ::testing::ValuesIn(LoadSigningVectors("pop_v3.json")),
                         SigningVectorName);

}  // namespace
}  // namespace mns::internal
