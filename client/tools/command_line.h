// What the client's command-line tools share: flag parsing, values from a
// flag, then the environment, then a default, and one way to print an error.
#ifndef MNS_CLIENT_TOOLS_COMMAND_LINE_H_
#define MNS_CLIENT_TOOLS_COMMAND_LINE_H_

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mns/common/status.h"
#include "mns/options.h"

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

// Splits argv: the names in `switch_names` take no value, those in
// `value_names` take the next argument. Returns a message on bad usage: an
// unknown flag, or one missing its value, so that a typo is never silently
// ignored. After "--" every argument is positional.
inline std::optional<std::string> ParseCommandLine(
    int argc, char** argv, const std::set<std::string>& switch_names,
    const std::set<std::string>& value_names, CommandLine& out) {
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (only_positional) {
      out.positional.push_back(arg);
    } else if (arg == "--") {  // what follows is positional ("-body")
      only_positional = true;
    } else if (arg == "--help" || arg == "-h") {
      out.help = true;
    } else if (arg.starts_with("--") && switch_names.contains(arg.substr(2))) {
      out.switches.insert(arg.substr(2));
    } else if (arg.starts_with("--") && value_names.contains(arg.substr(2))) {
      if (i + 1 == argc || std::string_view(argv[i + 1]).starts_with("--")) {
        return arg + " needs a value";
      }
      out.flags[arg.substr(2)] = argv[++i];
    } else if (arg.starts_with("-") && arg.size() > 1) {
      return "unknown flag " + arg;
    } else {
      out.positional.push_back(arg);
    }
  }
  return std::nullopt;
}

// The HTTPS flags every tool takes: --ca-file FILE (else the variable
// `ca_env`), the CAs to trust, and --resolve HOST=ADDRESS[,HOST=ADDRESS...],
// host names to reach at other addresses inside this process only. A
// message on a bad --resolve.
inline std::optional<std::string> ApplyHttpsFlags(const CommandLine& args,
                                                  const char* ca_env,
                                                  ClientOptions& options) {
  options.ca_file = args.Get("ca-file", ca_env, "");
  const std::string resolve = args.Get("resolve", nullptr, "");
  std::string_view list = resolve;
  while (!list.empty()) {
    const std::string_view item = list.substr(0, list.find(','));
    list.remove_prefix(std::min(list.size(), item.size() + 1));
    const size_t equals = item.find('=');
    if (equals == 0 || equals == std::string_view::npos ||
        equals + 1 == item.size()) {
      return "--resolve takes HOST=ADDRESS, not \"" + std::string(item) + "\"";
    }
    options.resolve[std::string(item.substr(0, equals))] =
        std::string(item.substr(equals + 1));
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
