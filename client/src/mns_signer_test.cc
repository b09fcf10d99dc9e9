#include "client/src/mns_signer.h"

#include <gtest/gtest.h>

#include "mns/common/testing/signing_vectors.h"

namespace mns::internal {
namespace {

using ::mns::testutil::LoadSigningVectors;
using ::mns::testutil::SigningVector;
using ::mns::testutil::SigningVectorName;

class MnsV2SignerTest : public ::testing::TestWithParam<SigningVector> {};

TEST_P(MnsV2SignerTest, SignerProducesTheVectorsStringAndSignature) {
  const auto& v = GetParam().data;
  Headers headers;
  for (const auto& [name, value] : v["headers"].items()) {
    headers.emplace_back(name, value.get<std::string>());
  }
  const std::string string_to_sign =
      MnsV2StringToSign(v["method"], headers, v["resource"]);
  EXPECT_EQ(string_to_sign, v["string_to_sign"].get<std::string>());
  EXPECT_EQ(MnsV2Authorization("ak", v["access_key_secret"], string_to_sign),
            "MNS ak:" + v["signature"].get<std::string>());
}

INSTANTIATE_TEST_SUITE_P(Fixtures, MnsV2SignerTest,
                         ::testing::ValuesIn(LoadSigningVectors("mns_v2.json")),
                         SigningVectorName);

}  // namespace
}  // namespace mns::internal
