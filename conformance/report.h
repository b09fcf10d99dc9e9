// The parity report: every test's operation, behaviour, marker and result
// against the target, printed at the end of a run and written as JUnit XML
// and Markdown.
#ifndef MNS_CONFORMANCE_REPORT_H_
#define MNS_CONFORMANCE_REPORT_H_

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mns::conformance {

struct TestResult {
  std::string suite;
  std::string name;
  std::string operation;
  std::string behaviour;  // the test name in words
  std::string marker;     // cloud_verified (date) / emulator_only / unverified
  std::string result;     // passed, failed or skipped
  std::string message;    // the first failure, or the skip reason
  double seconds = 0;
};

// "WakesWhenADelayEnds" -> "wakes when a delay ends".
std::string Behaviour(const std::string& test_name);

std::string MatrixText(const std::string& target,
                       const std::vector<TestResult>& results);
std::string MatrixMarkdown(const std::string& target,
                           const std::vector<TestResult>& results);
std::string JUnitXml(const std::string& target,
                     const std::vector<TestResult>& results);

// Collects results as the tests run; at the end prints the matrix and
// writes <dir>/parity.xml and <dir>/parity.md.
class ParityReporter : public ::testing::EmptyTestEventListener {
 public:
  ParityReporter(std::string target, std::string dir)
      : target_(std::move(target)), dir_(std::move(dir)) {}
  void OnTestEnd(const ::testing::TestInfo& info) override;
  void OnTestProgramEnd(const ::testing::UnitTest& unit) override;

 private:
  std::string target_;
  std::string dir_;
  std::vector<TestResult> results_;
};

}  // namespace mns::conformance

#endif  // MNS_CONFORMANCE_REPORT_H_
