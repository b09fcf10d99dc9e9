// The MNS API version: what requests must send in x-mns-version and what
// every response and notification carries (spec mns §1.2, topic §4.3).
#ifndef MNS_EMULATOR_CORE_API_VERSION_H_
#define MNS_EMULATOR_CORE_API_VERSION_H_

namespace mns::emulator {

inline constexpr char kMnsVersion[] = "2015-06-06";

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_API_VERSION_H_
