// mns-emulator: flags and config file -> EmulatorConfig -> Server -> wait for
// SIGINT or SIGTERM. Nothing else.
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "emulator/config.h"
#include "emulator/http/server.h"
#include "mns/common/strings.h"

namespace {

constexpr char kUsage[] = R"(usage: mns-emulator [options]

A local, wire-exact emulator of Alibaba Cloud MNS queues.

  --config FILE      JSON configuration (see README.md); default: built in
  --host HOST        address to listen on (default 127.0.0.1)
  --port N           port to listen on; 0 picks a free one (default 9876)
  --port-file FILE   write the bound port to FILE once listening
  --auth MODE        strict | loose | off (default strict)
  --seed N           seed ids and receipt handles, for reproducible runs
  --control-token T  require "Authorization: Bearer T" on /_emulator/
                     controls (also MNS_EMULATOR_CONTROL_TOKEN, or
                     control_token in the config)
  --log-requests     one line per request on stderr
  --log-level L      info | debug (debug: the server's string to sign for
                     each MNS SignatureDoesNotMatch)
  --journal-bodies   keep message bodies in the request journal
  --help             this text
)";

int Fail(const std::string& message) {
  std::cerr << "mns-emulator: " << message << "\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using mns::emulator::EmulatorConfig;
  std::string config_path, port_file, host, auth, port, seed, control_token,
      log_level;
  bool log_requests = false, journal_bodies = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (flag == "--log-requests" || flag == "--journal-bodies") {
      (flag == "--log-requests" ? log_requests : journal_bodies) = true;
      continue;
    }
    std::string* target = flag == "--config"          ? &config_path
                          : flag == "--port-file"     ? &port_file
                          : flag == "--host"          ? &host
                          : flag == "--auth"          ? &auth
                          : flag == "--port"          ? &port
                          : flag == "--seed"          ? &seed
                          : flag == "--control-token" ? &control_token
                          : flag == "--log-level"     ? &log_level
                                                      : nullptr;
    if (target == nullptr) return Fail("unknown flag " + flag + "\n" + kUsage);
    if (i + 1 == argc) return Fail(flag + " needs a value\n" + kUsage);
    *target = argv[++i];
  }

  EmulatorConfig config = mns::emulator::DefaultConfig();
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) return Fail("cannot read " + config_path);
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = mns::emulator::ParseConfig(text.str());
    if (!parsed.ok()) return Fail(parsed.status().message());
    config = std::move(parsed).value();
  }
  if (!host.empty()) config.host = host;
  if (const char* from_env = std::getenv("MNS_EMULATOR_CONTROL_TOKEN");
      from_env != nullptr && *from_env != '\0') {
    config.control_token = from_env;
  }
  if (!control_token.empty()) config.control_token = control_token;
  if (!port.empty()) {
    char* end = nullptr;
    long n = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || n < 0 || n > 65535) return Fail("bad --port " + port);
    config.port = static_cast<int>(n);
  }
  if (!auth.empty()) {
    auto mode = mns::emulator::ParseAuthMode(auth);
    if (!mode.ok()) return Fail(mode.status().message());
    config.auth = *mode;
  }
  if (log_requests) config.log_requests = true;
  if (journal_bodies) config.journal_bodies = true;
  if (!log_level.empty()) {
    auto debug = mns::emulator::ParseLogLevel(log_level);
    if (!debug.ok()) return Fail(debug.status().message());
    config.log_debug = *debug;
  }
  if (!seed.empty()) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(seed.c_str(), &end, 10);
    if (*end != '\0' || seed.empty()) return Fail("bad --seed " + seed);
    config.seed = n;
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
  // The stable ready line: scripts wait for it.
  std::cout << "mns-emulator listening on " << (*server)->address()
            << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "mns-emulator stopping (signal " << signal_number << ")"
            << std::endl;
  (*server)->Stop();
  return 0;
}
