// alicom-certify: runs an SMS receipt consumer against scenarios that a
// production consumer must survive, and says which it passes, with evidence.
// Flags, then "--", then the consumer's command (README "Certifying a
// consumer").
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "emulator/certify/certify.h"

namespace {

constexpr char kUsage[] = R"(usage: alicom-certify [flags] -- COMMAND [ARGS...]

Runs the SMS receipt consumer COMMAND against scenarios on an emulator of
its own, one fresh emulator and process per scenario, and gives a verdict
on each from the requests it made. The consumer finds the emulator in its
environment (ALICOM_POP_ENDPOINT, ALICOM_MNS_ENDPOINT, ALICOM_ACCESS_KEY_ID,
ALICOM_ACCESS_KEY_SECRET, ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET, ALICOM_UID,
ALICOM_QUEUE, ALICOM_MESSAGE_TYPE, ALICOM_SENDS_FILE, ALICOM_CLOCK_URL);
{pop_endpoint}, {mns_endpoint}, {access_key_id}, {access_key_secret}, {uid},
{queue}, {sends_file} and {clock_url} in ARGS are replaced by the same
values.

  --list                  the scenarios and what each checks
  --scenario NAME         run NAME (repeatable); default: all but opt-in
  --quick                 skip the scenarios over 30 s
  --type SmsReport|SmsUp  the queue the consumer reads (default SmsReport)
  --timeout-scale F       stretch every time limit by F (slow machines)
  --keep-going            run every scenario even after a failure
  --compensation-deadline S
                          compensates: seconds from the unreported send to
                          its QuerySendDetails, 1..86400 (default 120)
  --real-time             compensates: wait the deadline out in real time,
                          for a consumer that reads its own clock
  --report-dir DIR        write report.md, junit.xml and each scenario's
                          consumer output there
  --help                  this text

Exit status: 0 when every scenario passes, 1 when any fails, 2 for bad
usage.
)";

int Usage(const std::string& problem) {
  std::cerr << "alicom-certify: " << problem << "\n\n" << kUsage;
  return 2;
}

std::string ScenarioNames() {
  std::string names;
  for (const auto& s : mns::certify::Scenarios()) {
    names += (names.empty() ? "" : ", ") + s.name;
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  mns::certify::CertifyOptions options;
  std::vector<std::string> names;
  bool quick = false, list = false;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string flag = argv[i];
    auto value = [&]() -> const char* {
      return i + 1 < argc ? argv[++i] : nullptr;
    };
    if (flag == "--") {
      ++i;
      break;
    } else if (flag == "--help" || flag == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (flag == "--list") {
      list = true;
    } else if (flag == "--quick") {
      quick = true;
    } else if (flag == "--keep-going") {
      options.keep_going = true;
    } else if (flag == "--real-time") {
      options.real_time = true;
    } else if (flag == "--compensation-deadline") {
      const char* v = value();
      if (v == nullptr) return Usage(flag + " needs a value");
      char* end = nullptr;
      const long seconds = std::strtol(v, &end, 10);
      if (*end != '\0' || end == v || seconds < 1 || seconds > 86400) {
        return Usage("--compensation-deadline must be 1..86400 seconds");
      }
      options.compensation_deadline = std::chrono::seconds(seconds);
    } else if (flag == "--scenario" || flag == "--type" ||
               flag == "--timeout-scale" || flag == "--report-dir") {
      const char* v = value();
      if (v == nullptr) return Usage(flag + " needs a value");
      if (flag == "--scenario") {
        names.push_back(v);
      } else if (flag == "--type") {
        options.message_type = v;
        if (options.message_type != "SmsReport" &&
            options.message_type != "SmsUp") {
          return Usage("--type must be SmsReport or SmsUp");
        }
      } else if (flag == "--timeout-scale") {
        char* end = nullptr;
        options.timeout_scale = std::strtod(v, &end);
        if (*end != '\0' || !(options.timeout_scale > 0) ||
            options.timeout_scale > 100) {
          return Usage("--timeout-scale must be a number above 0, at most 100");
        }
      } else {
        options.report_dir = v;
      }
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (list) {
    for (const auto& s : mns::certify::Scenarios()) {
      std::cout << s.name << (s.quick ? "" : " (not in --quick)")
                << (s.opt_in ? " (opt-in)" : "") << "\n    " << s.checks
                << "\n";
    }
    return 0;
  }
  for (; i < argc; ++i) options.command.push_back(argv[i]);
  if (options.command.empty()) return Usage("no consumer command after --");
  for (const auto& name : names) {
    bool known = false;
    for (const auto& s : mns::certify::Scenarios()) known |= s.name == name;
    if (!known) {
      return Usage("unknown scenario " + name +
                   "; the scenarios are: " + ScenarioNames());
    }
  }
  if (options.message_type != "SmsReport" &&
      std::find(names.begin(), names.end(), "compensates") != names.end()) {
    return Usage("compensates certifies SmsReport consumers only");
  }
  if (names.empty()) {
    for (const auto& s : mns::certify::Scenarios()) {
      if (!s.opt_in && (!quick || s.quick)) names.push_back(s.name);
    }
  }
  auto verdicts =
      mns::certify::Certify(options, names, [](const mns::certify::Verdict& v) {
        std::cout << (v.passed ? "PASS " : "FAIL ") << v.scenario << ": "
                  << v.summary << std::endl;
      });
  std::cout << "\n" << mns::certify::SummaryText(verdicts);
  if (!options.report_dir.empty()) {
    std::ofstream(options.report_dir + "/report.md")
        << mns::certify::MarkdownReport(options, verdicts);
    std::ofstream(options.report_dir + "/junit.xml")
        << mns::certify::JunitReport(verdicts);
  }
  for (const auto& v : verdicts) {
    if (!v.passed) return 1;
  }
  return 0;
}
