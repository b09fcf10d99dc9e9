#include "emulator/config.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

namespace mns::emulator {
namespace {

using nlohmann::json;

Status ConfigError(const std::string& path, const std::string& problem) {
  return Status(StatusCode::kInvalidArgument,
                "config " + path + ": " + problem);
}

// Reads `value` (found at `where`) into `out`, checking its JSON type.
template <typename T>
Status ReadValue(const json& value, const std::string& where, T& out) {
  if constexpr (std::is_same_v<T, bool>) {
    if (!value.is_boolean()) return ConfigError(where, "must be true or false");
  } else if constexpr (std::is_integral_v<T>) {
    if (!value.is_number_integer()) {
      return ConfigError(where, "must be an integer");
    }
    // Never store a silently wrapped value: 4294967297 is not 1.
    const bool fits = value.is_number_unsigned()
                          ? std::in_range<T>(value.get<uint64_t>())
                          : std::in_range<T>(value.get<int64_t>());
    if (!fits) {
      return ConfigError(
          where, "must be an integer from " +
                     std::to_string(std::numeric_limits<T>::min()) + " to " +
                     std::to_string(std::numeric_limits<T>::max()));
    }
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!value.is_string()) return ConfigError(where, "must be a string");
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    if (!value.is_array()) return ConfigError(where, "must be an array");
    for (const json& item : value) {
      if (!item.is_string()) return ConfigError(where, "must hold strings");
    }
  }
  out = value.get<T>();
  return OkStatus();
}

// The fields of one JSON object. Every read names a known key, so Finish()
// refuses any other key without a second list to keep in step. The first
// error sticks and later reads do nothing; absent keys leave `out` as is.
class Fields {
 public:
  Fields(const json& obj, std::string path)
      : obj_(obj), path_(std::move(path)) {
    if (!obj_.is_object()) status_ = ConfigError(path_, "must be an object");
  }

  template <typename T>
  Fields& Read(const char* key, T& out) {
    if (const json* value = Get(key)) {
      status_ = ReadValue(*value, Path(key), out);
    }
    return *this;
  }

  template <typename T>
  Fields& Read(const char* key, std::optional<T>& out) {
    if (const json* value = Get(key)) {
      T read{};
      status_ = ReadValue(*value, Path(key), read);
      if (status_.ok()) out = read;
    }
    return *this;
  }

  // A field the caller reads itself; null when absent or after an error.
  const json* Get(const char* key) {
    known_.insert(key);
    if (!status_.ok()) return nullptr;
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
  }

  std::string Path(const std::string& key) const { return path_ + "." + key; }
  const Status& status() const { return status_; }

  // The first error, else the first key no read named ("unknown <what>").
  Status Finish(const std::string& what) const {
    MNS_RETURN_IF_ERROR(status_);
    for (const auto& [key, value] : obj_.items()) {
      if (!known_.contains(key))
        return ConfigError(Path(key), "unknown " + what);
    }
    return OkStatus();
  }

 private:
  const json& obj_;
  const std::string path_;
  std::set<std::string, std::less<>> known_;
  Status status_;
};

Status ReadAttributes(const json& obj, const std::string& path,
                      QueueAttributeUpdate& out) {
  Fields f(obj, path);
  f.Read("DelaySeconds", out.delay_seconds)
      .Read("MaximumMessageSize", out.maximum_message_size)
      .Read("MessageRetentionPeriod", out.message_retention_period)
      .Read("VisibilityTimeout", out.visibility_timeout)
      .Read("PollingWaitSeconds", out.polling_wait_seconds)
      .Read("LoggingEnabled", out.logging_enabled);
  return f.Finish("queue attribute");
}

Status ReadSettings(const json& obj, EmulatorConfig& config) {
  const std::string path = "$.settings";
  QueueSettings& q = config.queue_settings;
  MnsWireSettings& w = config.wire_settings;
  int64_t skew_seconds = w.max_clock_skew.count() / 1000;
  Fields f(obj, path);
  f.Read("strict_receipt_handles", q.strict_receipt_handles)
      .Read("priority_zero_is_default", q.priority_zero_is_default)
      .Read("max_message_retention_seconds", q.max_message_retention_seconds)
      .Read("max_queue_name_length", q.max_queue_name_length)
      .Read("peek_includes_inactive", q.peek_includes_inactive)
      .Read("time_expired_status", w.time_expired_status)
      .Read("batch_send_failure_status", w.batch_send_failure_status)
      .Read("batch_delete_failure_status", w.batch_delete_failure_status)
      .Read("delete_missing_queue_is_error", w.delete_missing_queue_is_error)
      .Read("max_clock_skew_seconds", skew_seconds);
  MNS_RETURN_IF_ERROR(f.Finish("setting"));
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
  AlicomSettings& a = config.alicom;
  int64_t lifetime = a.token_lifetime.count() / 1000;
  Fields f(obj, path);
  f.Read("mns_account_id", a.mns_account_id)
      .Read("token_lifetime_seconds", lifetime)
      .Read("expired_token_code", config.wire_settings.expired_token_code)
      .Read("expired_token_status", config.wire_settings.expired_token_status)
      .Read("report_delay_seconds", a.sms.report_delay_seconds)
      .Read("max_records", a.sms.max_records)
      .Read("max_pending_reports", a.sms.max_pending_reports);
  if (const json* names = f.Get("sign_names")) {
    if (!names->is_array()) {
      return ConfigError(f.Path("sign_names"), "must be an array");
    }
    for (const json& name : *names) {
      if (!name.is_string()) {
        return ConfigError(f.Path("sign_names"), "must hold strings");
      }
      a.sms.sign_names.push_back(name.get<std::string>());
    }
  }
  if (const json* templates = f.Get("templates")) {
    if (!templates->is_object()) {
      return ConfigError(f.Path("templates"), "must be an object");
    }
    for (const auto& [code, content] : templates->items()) {
      if (!content.is_string()) {
        return ConfigError(f.Path("templates") + "." + code,
                           "must be a string");
      }
      a.sms.templates[code] = content.get<std::string>();
    }
  }
  if (const json* rules = f.Get("rules")) {
    MNS_ASSIGN_OR_RETURN(a.sms.rules,
                         ParseOutcomeRules(*rules, f.Path("rules")));
  }
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (lifetime < 1) {
    return ConfigError(path + ".token_lifetime_seconds", "must be positive");
  }
  a.token_lifetime = Duration(lifetime * 1000);
  if (a.sms.report_delay_seconds < 0) {
    return ConfigError(path + ".report_delay_seconds", "must not be negative");
  }
  if (a.sms.max_records < 1) {
    return ConfigError(path + ".max_records", "must be positive");
  }
  if (a.sms.max_pending_reports < 1) {
    return ConfigError(path + ".max_pending_reports", "must be positive");
  }
  return OkStatus();
}

Status ReadTls(const json& obj, EmulatorConfig& config) {
  TlsConfig& tls = config.tls;
  Fields f(obj, "$.tls");
  f.Read("enabled", tls.enabled)
      .Read("port", tls.port)
      .Read("dir", tls.identity.dir)
      .Read("regions", tls.identity.regions)
      .Read("names", tls.identity.names)
      .Read("cert_file", tls.identity.certificate_file)
      .Read("key_file", tls.identity.key_file);
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (tls.port && (*tls.port < 0 || *tls.port > 65535)) {
    return ConfigError("$.tls.port", "must be 0..65535");
  }
  if (tls.identity.dir.empty()) {
    return ConfigError("$.tls.dir", "must name a directory");
  }
  return OkStatus();
}

Status ReadTopics(const json& obj, EmulatorConfig& config) {
  const std::string path = "$.topics";
  TopicSettings& t = config.topics;
  int64_t timeout_ms = t.http_timeout.count();
  Fields f(obj, path);
  f.Read("http_timeout_ms", timeout_ms)
      .Read("http_workers", t.http_workers)
      .Read("verify_https", t.verify_https)
      .Read("max_deliveries", t.max_deliveries)
      .Read("signing_cert_url", config.signing_cert_url);
  if (const json* hosts = f.Get("allowed_hosts")) {
    if (!hosts->is_array()) {
      return ConfigError(f.Path("allowed_hosts"), "must be an array");
    }
    for (const json& host : *hosts) {
      if (!host.is_string() || host.get<std::string>().empty()) {
        return ConfigError(f.Path("allowed_hosts"),
                           "must hold host names or globs");
      }
      t.allowed_hosts.push_back(host.get<std::string>());
    }
  }
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (timeout_ms < 1 || timeout_ms > 600'000) {
    return ConfigError(path + ".http_timeout_ms", "must be 1..600000");
  }
  t.http_timeout = Duration(timeout_ms);
  if (t.http_workers < 1 || t.http_workers > 256) {
    return ConfigError(path + ".http_workers", "must be 1..256");
  }
  if (t.max_deliveries < 1 || t.max_deliveries > 10'000'000) {
    return ConfigError(path + ".max_deliveries", "must be 1..10000000");
  }
  return OkStatus();
}

StatusOr<AccountConfig> ReadAccount(const json& obj, const std::string& path) {
  AccountConfig account;
  Fields f(obj, path);
  f.Read("id", account.id).Read("uid", account.uid);
  if (const json* keys = f.Get("access_keys")) {
    if (!keys->is_array()) {
      return ConfigError(f.Path("access_keys"), "must be an array");
    }
    for (size_t k = 0; k < keys->size(); ++k) {
      const std::string key_path =
          f.Path("access_keys") + "[" + std::to_string(k) + "]";
      AccessKeyConfig key;
      Fields kf((*keys)[k], key_path);
      kf.Read("id", key.id).Read("secret", key.secret);
      MNS_RETURN_IF_ERROR(kf.Finish("field"));
      if (key.id.empty() || key.secret.empty()) {
        return ConfigError(key_path, "needs an id and a secret");
      }
      account.access_keys.push_back(std::move(key));
    }
  }
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (account.id.empty()) return ConfigError(path + ".id", "is required");
  if (account.uid.empty()) account.uid = account.id;
  return account;
}

StatusOr<QueueConfig> ReadQueue(const json& obj, const std::string& path) {
  QueueConfig queue;
  Fields f(obj, path);
  f.Read("account", queue.account).Read("name", queue.name);
  if (const json* attributes = f.Get("attributes")) {
    MNS_RETURN_IF_ERROR(
        ReadAttributes(*attributes, f.Path("attributes"), queue.attributes));
  }
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (queue.name.empty()) return ConfigError(path + ".name", "is required");
  return queue;
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

StatusOr<bool> ParseLogLevel(const std::string& text) {
  if (text == "info") return false;
  if (text == "debug") return true;
  return Status(StatusCode::kInvalidArgument,
                "log level must be info or debug, not \"" + text + "\"");
}

StatusOr<EmulatorConfig> ParseConfig(const std::string& json_text) {
  json root = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) {
    return Status(StatusCode::kInvalidArgument, "config is not valid JSON");
  }
  EmulatorConfig config = DefaultConfig();
  std::string auth;
  Fields f(root, "$");
  f.Read("host", config.host)
      .Read("port", config.port)
      .Read("auth", auth)
      .Read("seed", config.seed)
      .Read("frozen_clock_ms", config.frozen_clock_ms)
      .Read("max_request_bytes", config.max_request_bytes)
      .Read("max_connection_threads", config.max_connection_threads)
      .Read("keep_alive_seconds", config.keep_alive_seconds)
      .Read("max_header_bytes", config.max_header_bytes)
      .Read("max_header_count", config.max_header_count)
      .Read("request_deadline_ms", config.request_deadline_ms)
      .Read("max_connections", config.max_connections)
      .Read("control_token", config.control_token)
      .Read("fault_stall_cap_ms", config.fault_stall_cap_ms)
      .Read("journal_capacity", config.journal_capacity)
      .Read("journal_bodies", config.journal_bodies)
      .Read("log_requests", config.log_requests);
  std::string log_level;
  f.Read("log_level", log_level);
  if (const json* accounts = f.Get("accounts")) {
    if (!accounts->is_array() || accounts->empty()) {
      return ConfigError("$.accounts", "must be a non-empty array");
    }
    config.accounts.clear();
    for (size_t i = 0; i < accounts->size(); ++i) {
      MNS_ASSIGN_OR_RETURN(
          AccountConfig account,
          ReadAccount((*accounts)[i], "$.accounts[" + std::to_string(i) + "]"));
      config.accounts.push_back(std::move(account));
    }
  }
  if (const json* queues = f.Get("queues")) {
    if (!queues->is_array()) return ConfigError("$.queues", "must be an array");
    for (size_t i = 0; i < queues->size(); ++i) {
      MNS_ASSIGN_OR_RETURN(
          QueueConfig queue,
          ReadQueue((*queues)[i], "$.queues[" + std::to_string(i) + "]"));
      config.queues.push_back(std::move(queue));
    }
  }
  if (const json* settings = f.Get("settings")) {
    MNS_RETURN_IF_ERROR(ReadSettings(*settings, config));
  }
  if (const json* alicom = f.Get("alicom")) {
    MNS_RETURN_IF_ERROR(ReadAlicom(*alicom, config));
  }
  if (const json* topics = f.Get("topics")) {
    MNS_RETURN_IF_ERROR(ReadTopics(*topics, config));
  }
  if (const json* tls = f.Get("tls")) {
    MNS_RETURN_IF_ERROR(ReadTls(*tls, config));
  }
  if (const json* faults = f.Get("faults")) {
    if (!faults->is_array()) return ConfigError("$.faults", "must be an array");
    for (size_t i = 0; i < faults->size(); ++i) {
      auto rule = ParseFaultRule((*faults)[i]);
      if (!rule.ok()) {
        return ConfigError("$.faults[" + std::to_string(i) + "]",
                           rule.status().message());
      }
      config.faults.push_back(std::move(rule).value());
    }
  }
  MNS_RETURN_IF_ERROR(f.Finish("field"));
  if (!log_level.empty()) {
    MNS_ASSIGN_OR_RETURN(config.log_debug, ParseLogLevel(log_level));
  }
  if (config.fault_stall_cap_ms < 0 || config.fault_stall_cap_ms > 3'600'000) {
    return ConfigError("$.fault_stall_cap_ms", "must be 0..3600000");
  }
  if (config.journal_capacity > 10'000'000) {
    return ConfigError("$.journal_capacity", "must be at most 10000000");
  }

  if (config.port < 0 || config.port > 65535) {
    return ConfigError("$.port", "must be 0..65535");
  }
  if (!auth.empty()) {
    MNS_ASSIGN_OR_RETURN(config.auth, ParseAuthMode(auth));
  }
  if (config.keep_alive_seconds < 1) {
    return ConfigError("$.keep_alive_seconds", "must be at least 1");
  }
  if (config.max_connection_threads < 16) {
    return ConfigError("$.max_connection_threads", "must be at least 16");
  }
  if (config.max_header_bytes < 1024 || config.max_header_bytes > (4 << 20)) {
    return ConfigError("$.max_header_bytes", "must be 1024..4194304");
  }
  if (config.max_header_count < 16) {
    return ConfigError("$.max_header_count", "must be at least 16");
  }
  if (config.request_deadline_ms < 100) {
    return ConfigError("$.request_deadline_ms", "must be at least 100");
  }
  if (config.max_connections < 16) {
    return ConfigError("$.max_connections", "must be at least 16");
  }
  return config;
}

StatusOr<std::vector<OutcomeRule>> ParseOutcomeRules(const json& rules,
                                                     const std::string& path) {
  if (!rules.is_array()) return ConfigError(path, "must be an array");
  std::vector<OutcomeRule> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const std::string at = path + "[" + std::to_string(i) + "]";
    OutcomeRule rule;
    std::string outcome = "delivered";
    Fields f(rules[i], at);
    f.Read("phone", rule.phone)
        .Read("outcome", outcome)
        .Read("err_code", rule.err_code)
        .Read("err_msg", rule.err_msg)
        .Read("reports", rule.reports)
        .Read("delay_seconds", rule.delay_seconds);
    MNS_RETURN_IF_ERROR(f.Finish("rule field"));
    if (rule.phone.empty()) return ConfigError(at + ".phone", "is required");
    if (outcome != "delivered" && outcome != "failed") {
      return ConfigError(at + ".outcome", "must be delivered or failed");
    }
    rule.delivered = outcome == "delivered";
    if (!rule.delivered && rule.err_code.empty()) {
      return ConfigError(at + ".err_code", "is required for a failure");
    }
    if (rule.reports < 0 || rule.reports > 2) {
      return ConfigError(at + ".reports", "must be 0, 1 or 2");
    }
    if (rule.delay_seconds < 0) {
      return ConfigError(at + ".delay_seconds", "must not be negative");
    }
    out.push_back(std::move(rule));
  }
  return out;
}

json ConfigToJson(const EmulatorConfig& c, bool mask_secrets) {
  auto secret = [&](const std::string& value) {
    return mask_secrets && !value.empty() ? std::string("****") : value;
  };
  json accounts = json::array();
  for (const AccountConfig& a : c.accounts) {
    json keys = json::array();
    for (const AccessKeyConfig& k : a.access_keys) {
      keys.push_back({{"id", k.id}, {"secret", secret(k.secret)}});
    }
    accounts.push_back({{"id", a.id}, {"uid", a.uid}, {"access_keys", keys}});
  }
  json queues = json::array();
  for (const QueueConfig& q : c.queues) {
    json attributes = json::object();
    const QueueAttributeUpdate& u = q.attributes;
    for (const auto& [name, value] :
         {std::pair{"DelaySeconds", u.delay_seconds},
          {"MaximumMessageSize", u.maximum_message_size},
          {"MessageRetentionPeriod", u.message_retention_period},
          {"VisibilityTimeout", u.visibility_timeout},
          {"PollingWaitSeconds", u.polling_wait_seconds}}) {
      if (value) attributes[name] = *value;
    }
    if (u.logging_enabled) attributes["LoggingEnabled"] = *u.logging_enabled;
    queues.push_back(
        {{"account", q.account}, {"name", q.name}, {"attributes", attributes}});
  }
  const QueueSettings& qs = c.queue_settings;
  const MnsWireSettings& w = c.wire_settings;
  const AlicomSettings& a = c.alicom;
  json faults = json::array();
  for (const FaultRule& rule : c.faults) {
    json f = FaultRuleToJson(rule);
    // What a rule did is state, not configuration.
    for (const char* key : {"id", "matched", "fired", "spent", "hits"}) {
      f.erase(key);
    }
    faults.push_back(std::move(f));
  }
  json out = {
      {"host", c.host},
      {"port", c.port},
      {"auth", c.auth == AuthMode::kStrict  ? "strict"
               : c.auth == AuthMode::kLoose ? "loose"
                                            : "off"},
      {"accounts", accounts},
      {"queues", queues},
      {"settings",
       {{"strict_receipt_handles", qs.strict_receipt_handles},
        {"priority_zero_is_default", qs.priority_zero_is_default},
        {"max_message_retention_seconds", qs.max_message_retention_seconds},
        {"max_queue_name_length", qs.max_queue_name_length},
        {"peek_includes_inactive", qs.peek_includes_inactive},
        {"time_expired_status", w.time_expired_status},
        {"batch_send_failure_status", w.batch_send_failure_status},
        {"batch_delete_failure_status", w.batch_delete_failure_status},
        {"delete_missing_queue_is_error", w.delete_missing_queue_is_error},
        {"max_clock_skew_seconds", w.max_clock_skew.count() / 1000}}},
      {"alicom",
       {{"mns_account_id", a.mns_account_id},
        {"token_lifetime_seconds", a.token_lifetime.count() / 1000},
        {"expired_token_code", w.expired_token_code},
        {"expired_token_status", w.expired_token_status},
        {"report_delay_seconds", a.sms.report_delay_seconds},
        {"sign_names", a.sms.sign_names},
        {"templates", a.sms.templates},
        {"rules", OutcomeRulesToJson(a.sms.rules)},
        {"max_records", a.sms.max_records},
        {"max_pending_reports", a.sms.max_pending_reports}}},
      {"topics",
       {{"http_timeout_ms", c.topics.http_timeout.count()},
        {"http_workers", c.topics.http_workers},
        {"allowed_hosts", c.topics.allowed_hosts},
        {"verify_https", c.topics.verify_https},
        {"max_deliveries", c.topics.max_deliveries},
        {"signing_cert_url", c.signing_cert_url}}},
      {"tls",
       {{"enabled", c.tls.enabled},
        {"dir", c.tls.identity.dir},
        {"regions", c.tls.identity.regions},
        {"names", c.tls.identity.names},
        {"cert_file", c.tls.identity.certificate_file},
        {"key_file", c.tls.identity.key_file}}},
      {"max_request_bytes", c.max_request_bytes},
      {"max_header_bytes", c.max_header_bytes},
      {"max_header_count", c.max_header_count},
      {"request_deadline_ms", c.request_deadline_ms},
      {"max_connections", c.max_connections},
      {"max_connection_threads", c.max_connection_threads},
      {"keep_alive_seconds", c.keep_alive_seconds},
      {"control_token", secret(c.control_token)},
      {"faults", faults},
      {"fault_stall_cap_ms", c.fault_stall_cap_ms},
      {"journal_capacity", c.journal_capacity},
      {"journal_bodies", c.journal_bodies},
      {"log_requests", c.log_requests},
      {"log_level", c.log_debug ? "debug" : "info"}};
  if (c.tls.port) out["tls"]["port"] = *c.tls.port;
  if (c.seed) out["seed"] = *c.seed;
  if (c.frozen_clock_ms) out["frozen_clock_ms"] = *c.frozen_clock_ms;
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
