// Loads the signing vectors of fixtures/signing/ for parameterised tests.
// Each vector keeps its JSON as recorded; tests read the fields they need.
#ifndef MNS_COMMON_TESTING_SIGNING_VECTORS_H_
#define MNS_COMMON_TESTING_SIGNING_VECTORS_H_

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace mns::testutil {

struct SigningVector {
  std::string name;
  nlohmann::json data;
  friend void PrintTo(const SigningVector& v, std::ostream* os) {
    *os << v.name;
  }
};

// The "vectors" of fixtures/signing/<file>.
inline std::vector<SigningVector> LoadSigningVectors(const std::string& file) {
  std::ifstream in(std::string(MNS_FIXTURES_DIR) + "/signing/" + file);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json root = nlohmann::json::parse(text.str());
  std::vector<SigningVector> out;
  for (const auto& v : root["vectors"]) out.push_back({v["name"], v});
  return out;
}

inline std::string SigningVectorName(
    const ::testing::TestParamInfo<SigningVector>& info) {
  return info.param.name;
}

}  // namespace mns::testutil

#endif  // MNS_COMMON_TESTING_SIGNING_VECTORS_H_
