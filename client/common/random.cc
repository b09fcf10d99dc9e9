#include "mns/common/random.h"

namespace mns {

Random::Random(std::optional<uint64_t> seed)
    : engine_(seed ? *seed
                   : (uint64_t{std::random_device{}()} << 32) |
                         std::random_device{}()) {}

uint64_t Random::Next() {
  std::lock_guard<std::mutex> lock(mutex_);
  return engine_();
}

int64_t Random::Uniform(int64_t low, int64_t high) {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::uniform_int_distribution<int64_t>(low, high)(engine_);
}

std::string Random::UpperHex(size_t length) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(length);
  std::lock_guard<std::mutex> lock(mutex_);
  while (out.size() < length) {
    uint64_t bits = engine_();
    for (int i = 0; i < 16 && out.size() < length; ++i, bits >>= 4) {
      out.push_back(kDigits[bits & 0xF]);
    }
  }
  return out;
}

}  // namespace mns
