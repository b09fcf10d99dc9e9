#include "emulator/http/version.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <boost/beast/version.hpp>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

namespace mns::emulator {

std::string EmulatorVersion() { return MNS_VERSION; }
std::string EmulatorCommit() { return MNS_GIT_COMMIT; }
const std::string& ServerHeaderValue() {
  static const std::string kValue = "mns-emulator/" + EmulatorVersion();
  return kValue;
}

std::string VersionReport() {
  std::string out = "mns-emulator " + EmulatorVersion();
  if (!EmulatorCommit().empty()) out += " (commit " + EmulatorCommit() + ")";
  out += "\n";
  out += "cpp-httplib " CPPHTTPLIB_VERSION "\n";
  out += std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  out += "pugixml " + std::to_string(PUGIXML_VERSION / 1000) + "." +
         std::to_string(PUGIXML_VERSION % 1000 / 10) + "\n";
  out += "nlohmann/json " + std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
         std::to_string(NLOHMANN_JSON_VERSION_PATCH) + "\n";
  out += std::string(BOOST_BEAST_VERSION_STRING) + "\n";
  return out;
}

}  // namespace mns::emulator
