// JsonText: the one way the emulator turns JSON into text. Strings in the
// emulator's state can hold bytes that are not UTF-8 (an OutId sent as %FF,
// a Host header); nlohmann's default dump() throws on them, and a throw in
// the receipt thread once killed the process. Invalid bytes become U+FFFD
// instead. Pure function, thread-safe.
#ifndef MNS_EMULATOR_CORE_JSON_TEXT_H_
#define MNS_EMULATOR_CORE_JSON_TEXT_H_

#include <nlohmann/json.hpp>
#include <string>

namespace mns::emulator {

// For nlohmann::json and nlohmann::ordered_json alike.
template <typename Json>
std::string JsonText(const Json& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false,
                    Json::error_handler_t::replace);
}

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_JSON_TEXT_H_
