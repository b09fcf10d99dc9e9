// What the client's command-line tools share: flag parsing, values from a
// flag, then the environment, then a default, and one way to print an error.
#ifndef MNS_CLIENT_TOOLS_COMMAND_LINE_H_
#define MNS_CLIENT_TOOLS_COMMAND_LINE_H_

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/common/status.h"

namespace mns::tools {

struct CommandLine {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;  // "--name value", without "--"
  std::set<std::string> switches;            // "--name", without "--"
  bool help = false;

  bool Has(const std::string& name) const { return switches.contains(name); }

  // The flag's value, else the environment variable's (when set and not
  // empty), else `fallback`.
  std::string Get(const std::string& flag, const char* env,
                  const std::string& fallback) const {
    if (auto it = flags.find(flag); it != flags.end()) return it->second;
    const char* value = env != nullptr ? std::getenv(env) : nullptr;
    return value != nullptr && *value != '\0' ? value : fallback;
  }
};

// Splits argv: the names in `switch_names` take no value, every other
// "--name" takes the next argument. Returns a message on bad usage.
inline std::optional<std::string> ParseCommandLine(
    int argc, char** argv, const std::set<std::string>& switch_names,
    CommandLine& out) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg.starts_with("--") && switch_names.contains(arg.substr(2))) {
      out.switches.insert(arg.substr(2));
    } else if (arg.starts_with("--")) {
      if (i + 1 == argc) return arg + " needs a value";
      out.flags[arg.substr(2)] = argv[++i];
    } else {
      out.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

// "QueueNotExist: The queue name you provided is not exist. (request id
// 5F...)", or the message alone for an error with no MNS code.
inline std::string DescribeError(const Status& status) {
  std::string text =
      status.error_code().empty() ? "" : status.error_code() + ": ";
  text += status.message();
  if (!status.request_id().empty()) {
    text += " (request id " + status.request_id() + ")";
  }
  return text;
}

}  // namespace mns::tools

#endif  // MNS_CLIENT_TOOLS_COMMAND_LINE_H_
