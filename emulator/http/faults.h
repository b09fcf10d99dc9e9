// Fault rules: scripted failures that a test adds through
// /_emulator/faults (or the config file's "faults") so that a client's
// failure paths can be reached on purpose — "fail the next two
// ReceiveMessage on this queue with 503", "lose the response of the next
// DeleteMessage". A rule matches requests by what they are (RequestFacts),
// fires on a schedule, and does exactly one thing. Every firing is recorded
// against its rule. The probability draws come from a Random of the rule
// set's own, seeded from the emulator's seed, so a seeded run repeats
// exactly. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_FAULTS_H_
#define MNS_EMULATOR_HTTP_FAULTS_H_

#include <cstdint>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/http/request_facts.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"

namespace mns::emulator {

enum class FaultAction {
  kError,            // answer with an error in the protocol's own shape
  kDelay,            // answer normally after delay_ms of real time
  kDrop,             // close the connection; the request never happened
  kDropAfterCommit,  // carry the request out, then close with no response
  kTruncate,         // send the headers and part of the body, then close
  kStall,            // hold the request unanswered, up to the stall cap
  kDuplicate,        // receives: the messages stay visible, to come again
  kExpireToken,      // the request's temporary token is expired from now on
};

struct FaultError {
  int http_status = 0;  // 0: the code's status in the protocol's table
  std::string code;
  std::string message;  // empty: the code's text in the protocol's table
};

struct FaultMatch {
  // "mns", "pop" or "notification"; empty matches any request but never a
  // notification delivery, so that a rule written for requests never fails
  // one. Operation "Notify" implies "notification" (set when parsed).
  std::string protocol;
  std::string operation;  // an MNS operation, a POP action, or "Notify"
  std::string queue;      // exact, or a glob with * and ?
  std::string topic;      // exact, or a glob
  std::string endpoint;   // a delivery's endpoint, exact or a glob
  std::string account;
  std::string access_key_id;

  bool Matches(const RequestFacts& facts) const;
};

struct FaultHit {
  std::string request_id;
  TimePoint time;
  std::string operation;
};

struct FaultRule {
  int64_t id = 0;
  FaultMatch match;
  int64_t times =
      1;  // fire this many times, then the rule is spent; 0: no limit
  int64_t after = 0;  // let this many matches pass first
  double probability = 1.0;
  FaultAction action = FaultAction::kError;
  FaultError error;
  int64_t delay_ms = 0;

  // Accountability.
  int64_t matched = 0;
  int64_t fired = 0;
  std::vector<FaultHit> hits;  // the latest kMaxHits

  static constexpr size_t kMaxHits = 100;
  bool spent() const { return times > 0 && fired >= times; }
};

// "error", "delay_ms", "drop", … as in a rule's JSON.
std::string FaultActionName(FaultAction action);

// The decision for one request: which rule fired and what to do.
struct FiredFault {
  int64_t rule_id = 0;
  FaultAction action = FaultAction::kError;
  FaultError error;
  int64_t delay_ms = 0;
};

// The operation names a rule may name: the MNS operations of spec mns §3
// and topic §6, and the POP actions the emulator serves.
const std::vector<std::string>& FaultOperationNames();

// A rule from its JSON form. Unknown fields, unknown operation names (the
// message lists the valid ones), several actions or none, and values out of
// range are InvalidArgument naming the field.
StatusOr<FaultRule> ParseFaultRule(const nlohmann::json& json);
nlohmann::json FaultRuleToJson(const FaultRule& rule);

class FaultRuleSet {
 public:
  explicit FaultRuleSet(std::optional<uint64_t> seed) : random_(seed) {}

  // Adds `rule` with a fresh id; returns it as stored.
  FaultRule Add(FaultRule rule);
  // False when no rule has that id.
  bool Remove(int64_t id);
  void Clear();
  std::vector<FaultRule> List() const;

  // The fault to apply to a request with `facts`, if a rule fires: the
  // first rule, in the order they were added, that matches and whose
  // schedule says fire. Every matching rule that is not spent counts the
  // match, up to the one that fires.
  std::optional<FiredFault> Fire(const RequestFacts& facts);
  // Records a firing against its rule, once the request id is known.
  void RecordHit(int64_t rule_id, FaultHit hit);

  // Whether any rule is set: a request pays for matching only then.
  bool empty() const;

 private:
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
  int64_t next_id_ = 1;
  Random random_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_FAULTS_H_
