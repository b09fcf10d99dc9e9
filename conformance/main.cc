// The conformance binary. With no MNS_* variables it starts the built
// emulator on port 0 and stops it at the end; with MNS_ENDPOINT,
// MNS_ACCESS_KEY_ID and MNS_ACCESS_KEY_SECRET it runs against live Alibaba
// Cloud (the README lists every variable, ALICOM_* included).
//
//   conformance [gtest flags]   report in $CONFORMANCE_REPORT_DIR
//                               (default ./conformance-report)
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "conformance/conformance.h"
#include "conformance/report.h"
#include "mns/common/random.h"
#include "mns/common/testing/subprocess.h"

namespace mns::conformance {
namespace {

std::string Env(const char* name, const std::string& fallback = "") {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// The emulator started for this run.
struct Emulator {
  pid_t pid = 0;
  std::filesystem::path dir;

  ~Emulator() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      mns::testutil::WaitForExit(pid, std::chrono::seconds(10));
    }
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

StatusOr<std::string> StartEmulator(Emulator& emulator) {
  const std::string binary = Env("MNS_EMULATOR_BIN", MNS_EMULATOR_DEFAULT_BIN);
  emulator.dir = std::filesystem::temp_directory_path() /
                 ("mns-conformance-" + std::to_string(getpid()));
  std::filesystem::create_directories(emulator.dir);
  const std::string port_file = emulator.dir / "port";
  const std::string log = emulator.dir / "emulator.log";
  auto pid = mns::testutil::Spawn(
      {binary, "--port", "0", "--port-file", port_file}, log, log);
  if (!pid.ok()) {
    return Status(pid.status().code(),
                  pid.status().message() + " (set MNS_EMULATOR_BIN)");
  }
  emulator.pid = *pid;
  std::string port;
  const bool up = Eventually(
      [&] {
        std::ifstream(port_file) >> port;
        return !port.empty();
      },
      Duration(10'000), Duration(20));
  if (!up) {
    // The directory goes with the run: show the log now.
    std::stringstream output;
    output << std::ifstream(log).rdbuf();
    return Status(StatusCode::kUnavailable,
                  "the emulator did not start:\n" + output.str());
  }
  return "http://127.0.0.1:" + port;
}

Target LiveTarget() {
  Target t{.live = true,
           .mns_endpoint = Env("MNS_ENDPOINT"),
           .access_key_id = Env("MNS_ACCESS_KEY_ID"),
           .access_key_secret = Env("MNS_ACCESS_KEY_SECRET")};
  t.alicom_key_id = Env("ALICOM_ACCESS_KEY_ID");
  t.alicom_key_secret = Env("ALICOM_ACCESS_KEY_SECRET");
  t.alicom_uid = Env("ALICOM_UID");
  t.phone_number = Env("ALICOM_PHONE_NUMBER");
  t.sign_name = Env("ALICOM_SIGN_NAME");
  t.template_code = Env("ALICOM_TEMPLATE_CODE");
  t.template_param = Env("ALICOM_TEMPLATE_PARAM");
  t.pop_endpoint =
      Env("ALICOM_DYSMSAPI_ENDPOINT", "https://dysmsapi.aliyuncs.com");
  t.token_endpoint =
      Env("ALICOM_DYBASEAPI_ENDPOINT", "https://dybaseapi.aliyuncs.com");
  t.alicom_mns_endpoint =
      Env("ALICOM_MNS_ENDPOINT",
          "https://1943695596114318.mns.cn-hangzhou.aliyuncs.com");
  t.alicom = !t.alicom_key_id.empty() && !t.alicom_key_secret.empty() &&
             !t.alicom_uid.empty() && !t.phone_number.empty() &&
             !t.sign_name.empty() && !t.template_code.empty();
  if (!t.alicom) {
    t.alicom_skip_reason =
        "the Alicom tests need ALICOM_ACCESS_KEY_ID, ALICOM_ACCESS_KEY_SECRET, "
        "ALICOM_UID, ALICOM_PHONE_NUMBER, ALICOM_SIGN_NAME and "
        "ALICOM_TEMPLATE_CODE against live";
  }
  return t;
}

Target EmulatorTarget(const std::string& address) {
  return Target{.live = false,
                .mns_endpoint = address,
                .access_key_id = "mns-emulator-key",
                .access_key_secret = "mns-emulator-secret",
                .alicom = true,
                .pop_endpoint = address,
                .token_endpoint = address,
                .alicom_mns_endpoint = address,
                .alicom_key_id = "mns-emulator-key",
                .alicom_key_secret = "mns-emulator-secret",
                .alicom_uid = "1234567890123456",
                .phone_number = "13800000000",
                .sign_name = "阿里云",
                .template_code = "SMS_1",
                .template_param = R"({"code":"1234"})"};
}

}  // namespace
}  // namespace mns::conformance

// ctest's SKIP_RETURN_CODE for conformance.live.
constexpr int kSkipped = 77;

int main(int argc, char** argv) {
  using namespace mns::conformance;
  ::testing::InitGoogleTest(&argc, argv);

  // CONFORMANCE_TARGET=live insists on live (and skips without
  // credentials); =emulator ignores any MNS_* variables.
  const std::string wanted = Env("CONFORMANCE_TARGET");
  const bool any_credentials = !Env("MNS_ENDPOINT").empty() ||
                               !Env("MNS_ACCESS_KEY_ID").empty() ||
                               !Env("MNS_ACCESS_KEY_SECRET").empty();
  const bool live_requested =
      wanted == "live" || (wanted != "emulator" && any_credentials);
  Emulator emulator;
  Target target;
  if (live_requested) {
    target = LiveTarget();
    if (target.mns_endpoint.empty() || target.access_key_id.empty() ||
        target.access_key_secret.empty()) {
      std::cout << "conformance: live mode skipped: it needs MNS_ENDPOINT, "
                   "MNS_ACCESS_KEY_ID and MNS_ACCESS_KEY_SECRET, and is never "
                   "attempted without all three.\n";
      return kSkipped;
    }
    std::cout << "Target: live Alibaba Cloud at " << target.mns_endpoint
              << "\n";
    if (!target.alicom)
      std::cout << "Skipping: " << target.alicom_skip_reason << "\n";
  } else {
    auto address = StartEmulator(emulator);
    if (!address.ok()) {
      std::cerr << "conformance: " << address.status() << "\n";
      return 2;
    }
    target = EmulatorTarget(*address);
    std::cout << "Target: the emulator at " << *address
              << " (no MNS_ENDPOINT: live mode not attempted)\n";
  }
  mns::Random random;
  target.run_id =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count()) +
      "-" + random.UpperHex(4);
  SetTarget(target);

  // The janitor: queues of crashed runs.
  mns::MnsClient janitor(
      mns::ClientOptions{.endpoint = target.mns_endpoint,
                         .credentials = mns::MakeStaticCredentials(
                             target.access_key_id, target.access_key_secret)});
  mns::SystemClock clock;
  auto removed = RemoveAbandonedQueues(janitor, clock.Now());
  if (!removed.ok()) {
    std::cerr << "conformance: janitor: " << removed.status() << "\n";
  } else if (*removed > 0) {
    std::cout << "Janitor: removed " << *removed
              << " queues left by earlier runs\n";
  }

  const std::string name =
      target.live ? "live Alibaba Cloud (" + target.mns_endpoint + ")"
                  : "the emulator";
  ::testing::UnitTest::GetInstance()->listeners().Append(new ParityReporter(
      name, Env("CONFORMANCE_REPORT_DIR", "conformance-report")));
  return RUN_ALL_TESTS();
}
