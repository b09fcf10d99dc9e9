#include "emulator/http/faults.h"

#include <algorithm>

#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

using nlohmann::json;

Status Invalid(const std::string& message) {
  return Status(StatusCode::kInvalidArgument, message);
}

constexpr std::pair<std::string_view, FaultAction> kFlagActions[] = {
    {"drop", FaultAction::kDrop},
    {"drop_after_commit", FaultAction::kDropAfterCommit},
    {"truncate", FaultAction::kTruncate},
    {"stall", FaultAction::kStall},
    {"duplicate", FaultAction::kDuplicate},
    {"expire_token", FaultAction::kExpireToken},
};

bool IsReceive(std::string_view operation) {
  return operation == "ReceiveMessage" || operation == "BatchReceiveMessage";
}

StatusOr<int64_t> NonNegative(const json& value, const std::string& name) {
  if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
      (value.is_number_unsigned() && value.get<uint64_t>() > INT64_MAX)) {
    return Invalid(name + " must be a non-negative integer");
  }
  return value.get<int64_t>();
}

StatusOr<std::string> Text(const json& value, const std::string& name) {
  if (!value.is_string()) return Invalid(name + " must be a string");
  return value.get<std::string>();
}

StatusOr<FaultError> ParseError(const json& value) {
  if (value.is_string()) {
    FaultError error{.code = value.get<std::string>()};
    if (error.code.empty()) return Invalid("error must name a code");
    return error;
  }
  if (!value.is_object()) {
    return Invalid(
        "error must be a code or {\"code\", \"status\", \"message\"}");
  }
  FaultError error;
  for (const auto& [key, field] : value.items()) {
    if (key == "code") {
      MNS_ASSIGN_OR_RETURN(error.code, Text(field, "error.code"));
    } else if (key == "message") {
      MNS_ASSIGN_OR_RETURN(error.message, Text(field, "error.message"));
    } else if (key == "status") {
      if (!field.is_number_integer() || field.get<int64_t>() < 400 ||
          field.get<int64_t>() > 599) {
        return Invalid("error.status must be an HTTP status from 400 to 599");
      }
      error.http_status = field.get<int>();
    } else {
      return Invalid("unknown field error." + key);
    }
  }
  if (error.code.empty()) return Invalid("error.code is required");
  return error;
}

}  // namespace

std::string FaultActionName(FaultAction action) {
  if (action == FaultAction::kError) return "error";
  if (action == FaultAction::kDelay) return "delay_ms";
  for (const auto& [name, a] : kFlagActions) {
    if (a == action) return std::string(name);
  }
  return "";
}

bool FaultMatch::Matches(const RequestFacts& facts) const {
  // No protocol means any request's, never a delivery's.
  return (protocol.empty() ? facts.protocol != "notification"
                           : protocol == facts.protocol) &&
         (operation.empty() || operation == facts.operation) &&
         (queue.empty() || GlobMatches(queue, facts.queue)) &&
         (topic.empty() || GlobMatches(topic, facts.topic)) &&
         (endpoint.empty() || GlobMatches(endpoint, facts.endpoint)) &&
         (account.empty() || account == facts.account) &&
         (access_key_id.empty() || access_key_id == facts.access_key_id);
}

const std::vector<std::string>& FaultOperationNames() {
  static const std::vector<std::string> kNames = {
      // MNS (spec mns §3, topic §6)
      "CreateQueue", "SetQueueAttributes", "GetQueueAttributes", "DeleteQueue",
      "ListQueue", "SendMessage", "BatchSendMessage", "ReceiveMessage",
      "BatchReceiveMessage", "PeekMessage", "BatchPeekMessage", "DeleteMessage",
      "BatchDeleteMessage", "ChangeMessageVisibility", "GetAccountAttributes",
      "SetAccountAttributes",
      // MNS topics (spec topic §1.1) and their deliveries
      "CreateTopic", "SetTopicAttributes", "GetTopicAttributes", "DeleteTopic",
      "ListTopic", "PublishMessage", "Subscribe", "SetSubscriptionAttributes",
      "GetSubscriptionAttributes", "Unsubscribe", "ListSubscriptionByTopic",
      "Notify",
      // POP (spec alicom §2, §3, §6)
      "SendSms", "SendBatchSms", "QuerySendDetails", "QueryTokenForMnsQueue"};
  return kNames;
}

StatusOr<FaultRule> ParseFaultRule(const json& value) {
  if (!value.is_object()) return Invalid("a fault rule must be a JSON object");
  FaultRule rule;
  std::vector<std::string> actions;
  for (const auto& [key, field] : value.items()) {
    if (key == "protocol") {
      MNS_ASSIGN_OR_RETURN(rule.match.protocol, Text(field, key));
      if (rule.match.protocol != "mns" && rule.match.protocol != "pop" &&
          rule.match.protocol != "notification") {
        return Invalid("protocol must be \"mns\", \"pop\" or \"notification\"");
      }
    } else if (key == "operation") {
      MNS_ASSIGN_OR_RETURN(rule.match.operation, Text(field, key));
      const auto& names = FaultOperationNames();
      if (std::find(names.begin(), names.end(), rule.match.operation) ==
          names.end()) {
        std::string list;
        for (const std::string& name : names) {
          list += (list.empty() ? "" : ", ") + name;
        }
        return Invalid("unknown operation \"" + rule.match.operation +
                       "\"; the operations are: " + list);
      }
    } else if (key == "queue") {
      MNS_ASSIGN_OR_RETURN(rule.match.queue, Text(field, key));
    } else if (key == "topic") {
      MNS_ASSIGN_OR_RETURN(rule.match.topic, Text(field, key));
    } else if (key == "endpoint") {
      MNS_ASSIGN_OR_RETURN(rule.match.endpoint, Text(field, key));
    } else if (key == "account") {
      MNS_ASSIGN_OR_RETURN(rule.match.account, Text(field, key));
    } else if (key == "access_key_id") {
      MNS_ASSIGN_OR_RETURN(rule.match.access_key_id, Text(field, key));
    } else if (key == "times") {
      MNS_ASSIGN_OR_RETURN(rule.times, NonNegative(field, key));
    } else if (key == "after") {
      MNS_ASSIGN_OR_RETURN(rule.after, NonNegative(field, key));
    } else if (key == "probability") {
      if (!field.is_number() || field.get<double>() < 0 ||
          field.get<double>() > 1) {
        return Invalid("probability must be a number from 0 to 1");
      }
      rule.probability = field.get<double>();
    } else if (key == "error") {
      MNS_ASSIGN_OR_RETURN(rule.error, ParseError(field));
      rule.action = FaultAction::kError;
      actions.push_back(key);
    } else if (key == "delay_ms") {
      MNS_ASSIGN_OR_RETURN(rule.delay_ms, NonNegative(field, key));
      if (rule.delay_ms > 600'000) {
        return Invalid("delay_ms must be at most 600000 (10 minutes)");
      }
      rule.action = FaultAction::kDelay;
      actions.push_back(key);
    } else {
      // A named copy: clang before 16 cannot capture a structured binding.
      const std::string& name = key;
      auto flag = std::find_if(std::begin(kFlagActions), std::end(kFlagActions),
                               [&](const auto& a) { return a.first == name; });
      if (flag == std::end(kFlagActions)) {
        return Invalid("unknown field " + key);
      }
      if (!field.is_boolean() || !field.get<bool>()) {
        return Invalid(key + " must be true");
      }
      rule.action = flag->second;
      actions.push_back(key);
    }
  }
  if (actions.size() != 1) {
    std::string names;
    for (const std::string& a : actions)
      names += (names.empty() ? "" : ", ") + a;
    return Invalid(
        actions.empty()
            ? "a fault rule needs one action: error, delay_ms, drop, "
              "drop_after_commit, truncate, stall, duplicate or expire_token"
            : "a fault rule has exactly one action, not " + names);
  }
  if (rule.action == FaultAction::kDuplicate && !rule.match.operation.empty() &&
      !IsReceive(rule.match.operation)) {
    return Invalid(
        "duplicate applies to ReceiveMessage and "
        "BatchReceiveMessage only, not " +
        rule.match.operation);
  }
  // A delivery can only fail: it has no connection to drop after a commit,
  // no response to truncate, no receive to duplicate.
  if (rule.match.operation == "Notify") {
    if (!rule.match.protocol.empty() && rule.match.protocol != "notification") {
      return Invalid("operation Notify goes with protocol \"notification\"");
    }
    rule.match.protocol = "notification";
  }
  if (rule.match.protocol == "notification" &&
      rule.action != FaultAction::kError && rule.action != FaultAction::kDrop) {
    return Invalid("a notification rule's action is error or drop, not " +
                   actions.front());
  }
  return rule;
}

json FaultRuleToJson(const FaultRule& rule) {
  json out = {{"id", rule.id}};
  const FaultMatch& m = rule.match;
  for (const auto& [name, value] : {std::pair{"protocol", &m.protocol},
                                    {"operation", &m.operation},
                                    {"queue", &m.queue},
                                    {"topic", &m.topic},
                                    {"endpoint", &m.endpoint},
                                    {"account", &m.account},
                                    {"access_key_id", &m.access_key_id}}) {
    if (!value->empty()) out[name] = *value;
  }
  out["times"] = rule.times;
  out["after"] = rule.after;
  out["probability"] = rule.probability;
  if (rule.action == FaultAction::kError) {
    json error = {{"code", rule.error.code}};
    if (rule.error.http_status != 0) error["status"] = rule.error.http_status;
    if (!rule.error.message.empty()) error["message"] = rule.error.message;
    out["error"] = error;
  } else if (rule.action == FaultAction::kDelay) {
    out["delay_ms"] = rule.delay_ms;
  } else {
    out[FaultActionName(rule.action)] = true;
  }
  out["matched"] = rule.matched;
  out["fired"] = rule.fired;
  out["spent"] = rule.spent();
  json hits = json::array();
  for (const FaultHit& hit : rule.hits) {
    hits.push_back({{"request_id", hit.request_id},
                    {"time", FormatIso8601(hit.time)},
                    {"operation", hit.operation}});
  }
  out["hits"] = hits;
  return out;
}

FaultRule FaultRuleSet::Add(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mutex_);
  rule.id = next_id_++;
  rule.matched = rule.fired = 0;
  rule.hits.clear();
  rules_.push_back(rule);
  return rule;
}

bool FaultRuleSet::Remove(int64_t id) {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::erase_if(rules_,
                       [id](const FaultRule& r) { return r.id == id; }) > 0;
}

void FaultRuleSet::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  rules_.clear();
}

std::vector<FaultRule> FaultRuleSet::List() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rules_;
}

bool FaultRuleSet::empty() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return rules_.empty();
}

std::optional<FiredFault> FaultRuleSet::Fire(const RequestFacts& facts) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (FaultRule& rule : rules_) {
    if (rule.spent() || !rule.match.Matches(facts)) continue;
    // Actions that only make sense for some requests match only those.
    if (rule.action == FaultAction::kDuplicate && !IsReceive(facts.operation)) {
      continue;
    }
    if (rule.action == FaultAction::kExpireToken && !facts.temporary_key) {
      continue;
    }
    ++rule.matched;
    if (rule.matched <= rule.after) continue;
    if (rule.probability < 1.0) {
      // 53 bits: a double in [0, 1) with every value equally likely.
      const double draw =
          static_cast<double>(random_.Next() >> 11) / 9007199254740992.0;
      if (draw >= rule.probability) continue;
    }
    ++rule.fired;
    return FiredFault{.rule_id = rule.id,
                      .action = rule.action,
                      .error = rule.error,
                      .delay_ms = rule.delay_ms};
  }
  return std::nullopt;
}

void FaultRuleSet::RecordHit(int64_t rule_id, FaultHit hit) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (FaultRule& rule : rules_) {
    if (rule.id != rule_id) continue;
    if (rule.hits.size() == FaultRule::kMaxHits) {
      rule.hits.erase(rule.hits.begin());
    }
    rule.hits.push_back(std::move(hit));
    return;
  }
}

}  // namespace mns::emulator
