#include "emulator/config.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace mns::emulator {
namespace {

using nlohmann::json;

Status ConfigError(const std::string& path, const std::string& problem) {
  return Status(StatusCode::kInvalidArgument,
                "config " + path + ": " + problem);
}

// Reads obj[key] into `out` if present, checking its JSON type.
template <typename T>
Status Read(const json& obj, const std::string& path, const char* key, T& out) {
  auto it = obj.find(key);
  if (it == obj.end()) return OkStatus();
  const std::string where = path + "." + key;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) return ConfigError(where, "must be true or false");
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer())
      return ConfigError(where, "must be an integer");
    if (it->get<int64_t>() < 0 && std::is_unsigned_v<T>) {
      return ConfigError(where, "must not be negative");
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) return ConfigError(where, "must be a string");
  }
  out = it->get<T>();
  return OkStatus();
}

Status RejectUnknownKeys(const json& obj, const std::string& path,
                         std::initializer_list<std::string_view> known,
                         const std::string& what) {
  for (const auto& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return ConfigError(path + "." + key, "unknown " + what);
    }
  }
  return OkStatus();
}

template <typename T>
Status ReadOptional(const json& obj, const std::string& path, const char* key,
                    std::optional<T>& out) {
  if (!obj.contains(key)) return OkStatus();
  T value{};
  MNS_RETURN_IF_ERROR(Read(obj, path, key, value));
  out = value;
  return OkStatus();
}

Status ReadAttributes(const json& obj, const std::string& path,
                      QueueAttributeUpdate& out) {
  if (!obj.is_object()) return ConfigError(path, "must be an object");
  MNS_RETURN_IF_ERROR(RejectUnknownKeys(
      obj, path,
      {"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
       "VisibilityTimeout", "PollingWaitSeconds", "LoggingEnabled"},
      "queue attribute"));
  MNS_RETURN_IF_ERROR(
      ReadOptional(obj, path, "DelaySeconds", out.delay_seconds));
  MNS_RETURN_IF_ERROR(
      ReadOptional(obj, path, "MaximumMessageSize", out.maximum_message_size));
  MNS_RETURN_IF_ERROR(ReadOptional(obj, path, "MessageRetentionPeriod",
                                   out.message_retention_period));
  MNS_RETURN_IF_ERROR(
      ReadOptional(obj, path, "VisibilityTimeout", out.visibility_timeout));
  MNS_RETURN_IF_ERROR(
      ReadOptional(obj, path, "PollingWaitSeconds", out.polling_wait_seconds));
  return ReadOptional(obj, path, "LoggingEnabled", out.logging_enabled);
}

Status ReadSettings(const json& obj, EmulatorConfig& config) {
  const std::string path = "$.settings";
  if (!obj.is_object()) return ConfigError(path, "must be an object");
  QueueSettings& q = config.queue_settings;
  MnsWireSettings& w = config.wire_settings;
  int64_t skew_seconds = w.max_clock_skew.count() / 1000;
  MNS_RETURN_IF_ERROR(RejectUnknownKeys(
      obj, path,
      {"strict_receipt_handles", "priority_zero_is_default",
       "max_message_retention_seconds", "max_queue_name_length",
       "peek_includes_inactive", "time_expired_status",
       "batch_send_failure_status", "batch_delete_failure_status",
       "delete_missing_queue_is_error", "max_clock_skew_seconds"},
      "setting"));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "strict_receipt_handles", q.strict_receipt_handles));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "priority_zero_is_default", q.priority_zero_is_default));
  MNS_RETURN_IF_ERROR(Read(obj, path, "max_message_retention_seconds",
                           q.max_message_retention_seconds));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "max_queue_name_length", q.max_queue_name_length));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "peek_includes_inactive", q.peek_includes_inactive));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "time_expired_status", w.time_expired_status));
  MNS_RETURN_IF_ERROR(Read(obj, path, "batch_send_failure_status",
                           w.batch_send_failure_status));
  MNS_RETURN_IF_ERROR(Read(obj, path, "batch_delete_failure_status",
                           w.batch_delete_failure_status));
  MNS_RETURN_IF_ERROR(Read(obj, path, "delete_missing_queue_is_error",
                           w.delete_missing_queue_is_error));
  MNS_RETURN_IF_ERROR(Read(obj, path, "max_clock_skew_seconds", skew_seconds));
  w.max_clock_skew = Duration(skew_seconds * 1000);
  for (int status : {w.time_expired_status, w.batch_send_failure_status,
                     w.batch_delete_failure_status}) {
    if (status < 400 || status > 599) {
      return ConfigError(path, "error statuses must be 400..599");
    }
  }
  return OkStatus();
}

Status ReadAlicom(const json& obj, EmulatorConfig& config) {
  const std::string path = "$.alicom";
  if (!obj.is_object()) return ConfigError(path, "must be an object");
  MNS_RETURN_IF_ERROR(RejectUnknownKeys(
      obj, path,
      {"mns_account_id", "token_lifetime_seconds", "expired_token_code",
       "expired_token_status", "report_delay_seconds", "sign_names",
       "templates", "rules"},
      "field"));
  AlicomSettings& a = config.alicom;
  MNS_RETURN_IF_ERROR(Read(obj, path, "mns_account_id", a.mns_account_id));
  int64_t lifetime = a.token_lifetime.count() / 1000;
  MNS_RETURN_IF_ERROR(Read(obj, path, "token_lifetime_seconds", lifetime));
  if (lifetime < 1) {
    return ConfigError(path + ".token_lifetime_seconds", "must be positive");
  }
  a.token_lifetime = Duration(lifetime * 1000);
  MNS_RETURN_IF_ERROR(Read(obj, path, "expired_token_code",
                           config.wire_settings.expired_token_code));
  MNS_RETURN_IF_ERROR(Read(obj, path, "expired_token_status",
                           config.wire_settings.expired_token_status));
  MNS_RETURN_IF_ERROR(
      Read(obj, path, "report_delay_seconds", a.sms.report_delay_seconds));
  if (a.sms.report_delay_seconds < 0) {
    return ConfigError(path + ".report_delay_seconds", "must not be negative");
  }
  if (obj.contains("sign_names")) {
    const json& names = obj["sign_names"];
    if (!names.is_array()) {
      return ConfigError(path + ".sign_names", "must be an array");
    }
    for (const json& name : names) {
      if (!name.is_string()) {
        return ConfigError(path + ".sign_names", "must hold strings");
      }
      a.sms.sign_names.push_back(name.get<std::string>());
    }
  }
  if (obj.contains("templates")) {
    const json& templates = obj["templates"];
    if (!templates.is_object()) {
      return ConfigError(path + ".templates", "must be an object");
    }
    for (const auto& [code, content] : templates.items()) {
      if (!content.is_string()) {
        return ConfigError(path + ".templates." + code, "must be a string");
      }
      a.sms.templates[code] = content.get<std::string>();
    }
  }
  if (obj.contains("rules")) {
    MNS_ASSIGN_OR_RETURN(a.sms.rules,
                         ParseOutcomeRules(obj["rules"], path + ".rules"));
  }
  return OkStatus();
}

}  // namespace

EmulatorConfig DefaultConfig() {
  EmulatorConfig config;
  config.accounts.push_back(
      {.id = "1234567890123456",
       .uid = "1234567890123456",
       .access_keys = {
           {.id = "mns-emulator-key", .secret = "mns-emulator-secret"}}});
  return config;
}

StatusOr<AuthMode> ParseAuthMode(const std::string& text) {
  if (text == "strict") return AuthMode::kStrict;
  if (text == "loose") return AuthMode::kLoose;
  if (text == "off") return AuthMode::kOff;
  return Status(StatusCode::kInvalidArgument,
                "auth must be strict, loose or off, not \"" + text + "\"");
}

StatusOr<EmulatorConfig> ParseConfig(const std::string& json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return Status(StatusCode::kInvalidArgument, "config is not valid JSON");
  }
  if (!root.is_object()) return ConfigError("$", "must be an object");
  EmulatorConfig config = DefaultConfig();
  MNS_RETURN_IF_ERROR(RejectUnknownKeys(
      root, "$",
      {"host", "port", "auth", "seed", "frozen_clock_ms", "accounts", "queues",
       "settings", "max_request_bytes", "max_connection_threads",
       "keep_alive_seconds", "alicom"},
      "field"));
  MNS_RETURN_IF_ERROR(Read(root, "$", "host", config.host));
  MNS_RETURN_IF_ERROR(Read(root, "$", "port", config.port));
  if (config.port < 0 || config.port > 65535) {
    return ConfigError("$.port", "must be 0..65535");
  }
  std::string auth;
  MNS_RETURN_IF_ERROR(Read(root, "$", "auth", auth));
  if (!auth.empty()) {
    MNS_ASSIGN_OR_RETURN(config.auth, ParseAuthMode(auth));
  }
  MNS_RETURN_IF_ERROR(ReadOptional(root, "$", "seed", config.seed));
  MNS_RETURN_IF_ERROR(
      ReadOptional(root, "$", "frozen_clock_ms", config.frozen_clock_ms));
  MNS_RETURN_IF_ERROR(
      Read(root, "$", "max_request_bytes", config.max_request_bytes));
  MNS_RETURN_IF_ERROR(
      Read(root, "$", "max_connection_threads", config.max_connection_threads));
  MNS_RETURN_IF_ERROR(
      Read(root, "$", "keep_alive_seconds", config.keep_alive_seconds));
  if (config.keep_alive_seconds < 1) {
    return ConfigError("$.keep_alive_seconds", "must be at least 1");
  }
  if (config.max_connection_threads < 16) {
    return ConfigError("$.max_connection_threads", "must be at least 16");
  }

  if (root.contains("accounts")) {
    const json& accounts = root["accounts"];
    if (!accounts.is_array() || accounts.empty()) {
      return ConfigError("$.accounts", "must be a non-empty array");
    }
    config.accounts.clear();
    for (size_t i = 0; i < accounts.size(); ++i) {
      const std::string path = "$.accounts[" + std::to_string(i) + "]";
      const json& a = accounts[i];
      if (!a.is_object()) return ConfigError(path, "must be an object");
      AccountConfig account;
      MNS_RETURN_IF_ERROR(
          RejectUnknownKeys(a, path, {"id", "uid", "access_keys"}, "field"));
      MNS_RETURN_IF_ERROR(Read(a, path, "id", account.id));
      if (account.id.empty()) return ConfigError(path + ".id", "is required");
      MNS_RETURN_IF_ERROR(Read(a, path, "uid", account.uid));
      if (account.uid.empty()) account.uid = account.id;
      const json keys = a.value("access_keys", json::array());
      if (!keys.is_array()) {
        return ConfigError(path + ".access_keys", "must be an array");
      }
      for (size_t k = 0; k < keys.size(); ++k) {
        const std::string kpath =
            path + ".access_keys[" + std::to_string(k) + "]";
        if (!keys[k].is_object())
          return ConfigError(kpath, "must be an object");
        AccessKeyConfig key;
        MNS_RETURN_IF_ERROR(Read(keys[k], kpath, "id", key.id));
        MNS_RETURN_IF_ERROR(Read(keys[k], kpath, "secret", key.secret));
        if (key.id.empty() || key.secret.empty()) {
          return ConfigError(kpath, "needs an id and a secret");
        }
        account.access_keys.push_back(std::move(key));
      }
      config.accounts.push_back(std::move(account));
    }
  }

  if (root.contains("queues")) {
    const json& queues = root["queues"];
    if (!queues.is_array()) return ConfigError("$.queues", "must be an array");
    for (size_t i = 0; i < queues.size(); ++i) {
      const std::string path = "$.queues[" + std::to_string(i) + "]";
      const json& q = queues[i];
      if (!q.is_object()) return ConfigError(path, "must be an object");
      QueueConfig queue;
      MNS_RETURN_IF_ERROR(Read(q, path, "account", queue.account));
      MNS_RETURN_IF_ERROR(Read(q, path, "name", queue.name));
      if (queue.name.empty()) return ConfigError(path + ".name", "is required");
      if (q.contains("attributes")) {
        MNS_RETURN_IF_ERROR(ReadAttributes(
            q["attributes"], path + ".attributes", queue.attributes));
      }
      config.queues.push_back(std::move(queue));
    }
  }

  if (root.contains("settings")) {
    MNS_RETURN_IF_ERROR(ReadSettings(root["settings"], config));
  }
  if (root.contains("alicom")) {
    MNS_RETURN_IF_ERROR(ReadAlicom(root["alicom"], config));
  }
  return config;
}

StatusOr<std::vector<OutcomeRule>> ParseOutcomeRules(const json& rules,
                                                     const std::string& path) {
  if (!rules.is_array()) return ConfigError(path, "must be an array");
  std::vector<OutcomeRule> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    const json& r = rules[i];
    if (!r.is_object()) return ConfigError(at, "must be an object");
    MNS_RETURN_IF_ERROR(RejectUnknownKeys(
        r, at,
        {"phone", "outcome", "err_code", "err_msg", "reports", "delay_seconds"},
        "rule field"));
    OutcomeRule rule;
    std::string outcome = "delivered";
    MNS_RETURN_IF_ERROR(Read(r, at, "phone", rule.phone));
    if (rule.phone.empty()) return ConfigError(at + ".phone", "is required");
    MNS_RETURN_IF_ERROR(Read(r, at, "outcome", outcome));
    if (outcome != "delivered" && outcome != "failed") {
      return ConfigError(at + ".outcome", "must be delivered or failed");
    }
    rule.delivered = outcome == "delivered";
    MNS_RETURN_IF_ERROR(Read(r, at, "err_code", rule.err_code));
    MNS_RETURN_IF_ERROR(Read(r, at, "err_msg", rule.err_msg));
    if (!rule.delivered && rule.err_code.empty()) {
      return ConfigError(at + ".err_code", "is required for a failure");
    }
    MNS_RETURN_IF_ERROR(Read(r, at, "reports", rule.reports));
    if (rule.reports < 0 || rule.reports > 2) {
      return ConfigError(at + ".reports", "must be 0, 1 or 2");
    }
    MNS_RETURN_IF_ERROR(Read(r, at, "delay_seconds", rule.delay_seconds));
    if (rule.delay_seconds < 0) {
      return ConfigError(at + ".delay_seconds", "must not be negative");
    }
    out.push_back(std::move(rule));
  }
  return out;
}

json OutcomeRulesToJson(const std::vector<OutcomeRule>& rules) {
  json out = json::array();
  for (const OutcomeRule& r : rules) {
    out.push_back({{"phone", r.phone},
                   {"outcome", r.delivered ? "delivered" : "failed"},
                   {"err_code", r.err_code},
                   {"err_msg", r.err_msg},
                   {"reports", r.reports},
                   {"delay_seconds", r.delay_seconds}});
  }
  return out;
}

}  // namespace mns::emulator
