// mns-emulator: flags, environment and config file -> EmulatorConfig ->
// Server -> wait for SIGINT or SIGTERM. Nothing else.
#include <signal.h>

extern char** environ;

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "emulator/config.h"
#include "emulator/http/server.h"
#include "emulator/http/version.h"
#include "mns/common/strings.h"

namespace {

constexpr char kUsage[] = R"(usage: mns-emulator [options]

A local, wire-exact emulator of Alibaba Cloud MNS queues and topics and of
the Alicom SMS receipt APIs.

  --config FILE      JSON configuration (see README.md); default: built in
  --host HOST        address to listen on (default 127.0.0.1)
  --port N           port to listen on; 0 picks a free one (default 9876)
  --port-file FILE   write the bound port to FILE once listening
  --auth MODE        strict | loose | off (default strict)
  --seed N           seed ids and receipt handles, for reproducible runs
  --control-token T  require "Authorization: Bearer T" on /_emulator/
                     controls (or control_token in the config)
  --tls              serve HTTPS on --port, with a certificate from a CA of
                     the emulator's own (made on first use, then reused)
  --tls-port N       serve HTTPS on N too, beside plain HTTP on --port
  --tls-dir DIR      where the CA and certificate are kept (default
                     ./.mns-emulator-tls)
  --tls-region R     cover *.mns.R.aliyuncs.com too (repeatable; cn-hangzhou
                     always)
  --tls-name NAME    cover this DNS name or IP address too (repeatable)
  --tls-cert FILE    serve this certificate chain (PEM) instead ...
  --tls-key FILE     ... with this key
  --log-requests     one line per request on stderr
  --log-level L      info | debug (debug: the server's string to sign for
                     each MNS SignatureDoesNotMatch)
  --journal-bodies   keep message bodies in the request journal
  --print-config     the effective configuration as JSON, secrets masked;
                     then exit
  --version          the version, the commit and the libraries; then exit
  --help             this text

Each option also comes from the environment, as MNS_EMULATOR_ and its name
in capitals with underscores (MNS_EMULATOR_PORT, MNS_EMULATOR_TLS, …;
switches take true or false, repeatable options a comma-separated list).
A flag wins over its variable, and a variable over the config file. An
MNS_EMULATOR_ variable that names no option is an error.
)";

std::optional<int> ParsePort(const std::string& text) {
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || n < 0 || n > 65535) return std::nullopt;
  return static_cast<int>(n);
}

int Fail(const std::string& message) {
  std::cerr << "mns-emulator: " << message << "\n";
  return 2;
}

// One option: its flag, and the environment variable of the same name.
struct Option {
  std::string flag;  // "port-file"
  bool is_switch = false;
  bool repeatable = false;
  std::optional<std::string> value;  // from the flag, else the environment
  std::vector<std::string> values;   // of a repeatable option

  std::string EnvName() const {
    std::string name = "MNS_EMULATOR_";
    for (char c : flag)
      name += c == '-' ? '_' : static_cast<char>(std::toupper(c));
    return name;
  }
};

// Read by the conformance suite and the SDK tests, which start this binary
// with them set; not options of the emulator.
constexpr const char* kOtherVariables[] = {"MNS_EMULATOR_BIN"};

// The flags, then the environment for what they left unset. A message on
// bad usage: an unknown flag, a missing value, an unknown variable.
std::optional<std::string> ReadOptions(int argc, char** argv,
                                       std::map<std::string, Option>& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto it =
        arg.starts_with("--") ? options.find(arg.substr(2)) : options.end();
    if (it == options.end()) return "unknown flag " + arg;
    if (it->second.is_switch) {
      it->second.value = "true";
    } else if (i + 1 == argc) {
      return arg + " needs a value";
    } else if (it->second.repeatable) {
      it->second.values.push_back(argv[++i]);
    } else {
      it->second.value = argv[++i];
    }
  }
  std::map<std::string, Option*> by_env;
  std::string names;
  for (auto& [flag, option] : options) {
    by_env[option.EnvName()] = &option;
    names += (names.empty() ? "" : ", ") + option.EnvName();
  }
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    if (!name.starts_with("MNS_EMULATOR_")) continue;
    if (std::find(std::begin(kOtherVariables), std::end(kOtherVariables),
                  name) != std::end(kOtherVariables)) {
      continue;
    }
    auto it = by_env.find(name);
    if (it == by_env.end()) {
      return "unknown environment variable " + name +
             "; the variables are: " + names;
    }
    const std::string value = entry.substr(entry.find('=') + 1);
    Option& option = *it->second;
    if (option.is_switch && value != "true" && value != "false") {
      return name + " must be true or false, not \"" + value + "\"";
    }
    if (option.repeatable) {
      if (option.values.empty()) {
        std::stringstream items(value);
        for (std::string item; std::getline(items, item, ',');) {
          if (!item.empty()) option.values.push_back(item);
        }
      }
    } else if (!option.value && !value.empty()) {
      option.value = value;
    }
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  using mns::emulator::EmulatorConfig;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (flag == "--version") {
      std::cout << mns::emulator::VersionReport();
      return 0;
    }
  }
  std::map<std::string, Option> options;
  for (const char* flag :
       {"config", "host", "port", "port-file", "auth", "seed", "control-token",
        "log-level", "tls-port", "tls-dir", "tls-cert", "tls-key"}) {
    options[flag] = {.flag = flag};
  }
  for (const char* flag :
       {"log-requests", "journal-bodies", "print-config", "tls"}) {
    options[flag] = {.flag = flag, .is_switch = true};
  }
  for (const char* flag : {"tls-region", "tls-name"}) {
    options[flag] = {.flag = flag, .repeatable = true};
  }
  if (auto problem = ReadOptions(argc, argv, options)) {
    return Fail(*problem + "\n" + kUsage);
  }
  auto get = [&](const char* flag) {
    return options.at(flag).value.value_or("");
  };

  EmulatorConfig config = mns::emulator::DefaultConfig();
  if (const std::string config_path = get("config"); !config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) return Fail("cannot read " + config_path);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = mns::emulator::ParseConfig(text.str());
    if (!parsed.ok()) return Fail(parsed.status().message());
    config = std::move(parsed).value();
  }
  if (!get("host").empty()) config.host = get("host");
  if (!get("control-token").empty())
    config.control_token = get("control-token");
  if (const std::string port = get("port"); !port.empty()) {
    auto n = ParsePort(port);
    if (!n) return Fail("bad --port " + port);
    config.port = *n;
  }
  mns::emulator::TlsConfig& tls = config.tls;
  if (get("tls") == "true") tls.enabled = true;
  if (const std::string port = get("tls-port"); !port.empty()) {
    auto n = ParsePort(port);
    if (!n) return Fail("bad --tls-port " + port);
    tls.port = *n;
  }
  if (!get("tls-dir").empty()) tls.identity.dir = get("tls-dir");
  if (!get("tls-cert").empty()) tls.identity.certificate_file = get("tls-cert");
  if (!get("tls-key").empty()) tls.identity.key_file = get("tls-key");
  for (const std::string& region : options.at("tls-region").values) {
    tls.identity.regions.push_back(region);
  }
  for (const std::string& name : options.at("tls-name").values) {
    tls.identity.names.push_back(name);
  }
  if (tls.enabled && tls.port) {
    return Fail(
        "--tls-port serves HTTPS beside plain HTTP on --port; with --tls, "
        "--port speaks HTTPS already");
  }
  if (const std::string auth = get("auth"); !auth.empty()) {
    auto mode = mns::emulator::ParseAuthMode(auth);
    if (!mode.ok()) return Fail(mode.status().message());
    config.auth = *mode;
  }
  if (get("log-requests") == "true") config.log_requests = true;
  if (get("journal-bodies") == "true") config.journal_bodies = true;
  if (const std::string level = get("log-level"); !level.empty()) {
    auto debug = mns::emulator::ParseLogLevel(level);
    if (!debug.ok()) return Fail(debug.status().message());
    config.log_debug = *debug;
  }
  if (const std::string seed = get("seed"); !seed.empty()) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(seed.c_str(), &end, 10);
    if (*end != '\0') return Fail("bad --seed " + seed);
    config.seed = n;
  }
  const std::string port_file = get("port-file");
  if (get("print-config") == "true") {
    // A flag's bytes need not be UTF-8: replace, never throw.
    std::cout << mns::emulator::ConfigToJson(config, /*mask_secrets=*/true)
                     .dump(2, ' ', false,
                           nlohmann::json::error_handler_t::replace)
              << "\n";
    return 0;
  }

  // Block the stop signals in every thread; this one takes them with
  // sigwait() once the server runs.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto server = mns::emulator::Server::Start(config);
  if (!server.ok()) return Fail(server.status().message());

  for (const auto& account : config.accounts) {
    for (const auto& key : account.access_keys) {
      std::cout << "account " << account.id << " access_key_id=" << key.id
                << " access_key_secret=" << key.secret << "\n";
    }
  }
  if (!port_file.empty()) {
    std::ofstream out(port_file);
    out << (*server)->port() << "\n";
    if (!out) return Fail("cannot write " + port_file);
  }
  if (!mns::IsLoopbackHost(config.host)) {
    std::cerr << "mns-emulator: warning: listening on " << config.host
              << ", not loopback: anyone who can reach it can use the "
              << (config.control_token.empty()
                      ? "/_emulator/ controls (reset, clock, SMS) without "
                        "credentials; set --control-token"
                      : "emulator with the default access keys unless the "
                        "config replaces them")
              << std::endl;
  }
  // The stable ready line, last: scripts wait for it. An HTTPS port beside
  // it comes first.
  const mns::emulator::TlsIdentity& identity = (*server)->tls_identity();
  const std::string trust =
      identity.ca_file.empty()
          ? ""
          : " (trust the CA in " +
                std::filesystem::absolute(identity.ca_file).string() + ")";
  if (!(*server)->tls_address().empty()) {
    std::cout << "mns-emulator listening on " << (*server)->tls_address()
              << trust << "\n";
  }
  std::cout << "mns-emulator listening on " << (*server)->address()
            << (config.tls.enabled ? trust : "") << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "mns-emulator stopping (signal " << signal_number << ")"
            << std::endl;
  (*server)->Stop();
  return 0;
}
