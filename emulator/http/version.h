// The emulator's version and what it was built with: `mns-emulator
// --version`, the Server header of every response, and /_emulator/health.
// Pure functions.
#ifndef MNS_EMULATOR_HTTP_VERSION_H_
#define MNS_EMULATOR_HTTP_VERSION_H_

#include <string>

namespace mns::emulator {

// "0.3.0"
std::string EmulatorVersion();
// The git commit the build was configured from; empty outside a checkout.
std::string EmulatorCommit();
// "mns-emulator/0.3.0", for the Server header: made once, as it goes on
// every response.
const std::string& ServerHeaderValue();
// Several lines: the version and commit, then cpp-httplib, OpenSSL,
// pugixml, nlohmann/json and Boost.Beast.
std::string VersionReport();

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_VERSION_H_
