// Random: a seedable source of ids, tokens and jitter.
//
// With a seed, two runs draw the same sequence, so an emulator run with a
// seed and a simulated clock produces the same bytes on the wire. Unseeded,
// it starts from std::random_device. Thread-safe.
#ifndef MNS_COMMON_RANDOM_H_
#define MNS_COMMON_RANDOM_H_

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace mns {

class Random {
 public:
  explicit Random(std::optional<uint64_t> seed = std::nullopt);

  uint64_t Next();
  // Uniform in [low, high].
  int64_t Uniform(int64_t low, int64_t high);
  // `length` uppercase hex digits.
  std::string UpperHex(size_t length);

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace mns

#endif  // MNS_COMMON_RANDOM_H_
