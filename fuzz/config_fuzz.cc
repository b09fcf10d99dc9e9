// The config file and the outcome rules (also what PUT /_emulator/sms/rules
// takes): a value or an error, never a crash, and what is accepted parses
// the same way twice.
#include <nlohmann/json.hpp>

#include "emulator/config.h"
#include "fuzz/fuzz_support.h"

using namespace mns;
using namespace mns::emulator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto config = ParseConfig(text);
  if (config.ok()) {
    fuzz::Check(!config->accounts.empty(), "a config with no account");
    fuzz::Check(config->port >= 0 && config->port <= 65535,
                "a port out of range was accepted");
  }
  auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_discarded()) {
    auto rules = ParseOutcomeRules(json, "$");
    if (rules.ok()) {
      for (const OutcomeRule& rule : *rules) {
        fuzz::Check(rule.reports >= 0 && rule.reports <= 2,
                    "reports out of range was accepted");
      }
      auto again = ParseOutcomeRules(OutcomeRulesToJson(*rules), "$");
      fuzz::Check(again.ok() && again->size() == rules->size(),
                  "accepted rules do not parse again");
    }
  }
  return 0;
}
