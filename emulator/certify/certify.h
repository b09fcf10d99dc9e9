// Certification of an SMS receipt consumer (README "Certifying a consumer"):
// the consumer under test runs as a child process against an in-process
// emulator, one fresh emulator and one fresh process per scenario, and each
// scenario's verdict is drawn from the request journal and the queue state,
// never from the consumer's output. Each verdict carries its evidence.
#ifndef MNS_EMULATOR_CERTIFY_CERTIFY_H_
#define MNS_EMULATOR_CERTIFY_CERTIFY_H_

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace mns::certify {

struct Verdict {
  std::string scenario;
  bool passed = false;
  std::string summary;                // one line
  std::vector<std::string> evidence;  // counts, rates, timings
  std::vector<std::string> offending_request_ids;
  std::vector<std::string> information;  // reported, not judged
  double seconds = 0;                    // wall time of the scenario
  std::string consumer_output;           // stdout and stderr, the tail
};

struct CertifyOptions {
  std::vector<std::string> command;  // the consumer: program and arguments
  std::string message_type = "SmsReport";
  double timeout_scale = 1.0;
  std::chrono::seconds compensation_deadline{120};
  bool real_time = false;  // compensates: wait on the real clock
  bool keep_going = false;
  std::string report_dir;  // empty: no files
};

struct ScenarioInfo {
  std::string name;
  std::string checks;  // what passes, with the thresholds
  bool quick;          // in the --quick set
  bool opt_in;         // only when named
};

// Every scenario, in the order they run.
const std::vector<ScenarioInfo>& Scenarios();

// Runs `names` (in Scenarios() order) and returns their verdicts; stops
// after the first failure unless options.keep_going. `progress` receives
// each verdict as it is reached.
std::vector<Verdict> Certify(
    const CertifyOptions& options, const std::vector<std::string>& names,
    const std::function<void(const Verdict&)>& progress);

// The reports: a human summary, Markdown, and JUnit XML.
std::string SummaryText(const std::vector<Verdict>& verdicts);
std::string MarkdownReport(const CertifyOptions& options,
                           const std::vector<Verdict>& verdicts);
std::string JunitReport(const std::vector<Verdict>& verdicts);

}  // namespace mns::certify

#endif  // MNS_EMULATOR_CERTIFY_CERTIFY_H_
