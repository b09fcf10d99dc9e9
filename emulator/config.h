// EmulatorConfig: everything an emulator run is built from, and its JSON
// form. The built-in default needs no file: one account with a documented key
// pair. Parsing reports the first problem with its JSON path. Plain values.
#ifndef MNS_EMULATOR_CONFIG_H_
#define MNS_EMULATOR_CONFIG_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "emulator/core/queue_attributes.h"
#include "emulator/core/settings.h"
#include "emulator/http/faults.h"
#include "emulator/http/mns_api.h"
#include "emulator/http/tls_identity.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/status.h"

namespace mns::emulator {

struct AccessKeyConfig {
  std::string id;
  std::string secret;
};

struct AccountConfig {
  std::string id;
  // The Alicom uid in the account's queue names, Alicom-Queue-<uid>-SmsReport
  // (default: the account id).
  std::string uid;
  std::vector<AccessKeyConfig> access_keys;
};

struct QueueConfig {
  std::string account;  // empty: the first account
  std::string name;
  QueueAttributeUpdate attributes;
};

// HTTPS ("tls" in the file; --tls and the --tls-* flags).
struct TlsConfig {
  // The port speaks HTTPS instead of plain HTTP.
  bool enabled = false;
  // HTTPS on this port beside plain HTTP on the main one (0: a free port).
  std::optional<int> port;
  // The generated identity's directory and names, or the user's own pair.
  TlsOptions identity;

  bool serves_https() const { return enabled || port.has_value(); }
};

struct EmulatorConfig {
  std::string host = "127.0.0.1";
  int port = 9876;
  TlsConfig tls;
  AuthMode auth = AuthMode::kStrict;
  // Seeds ids and receipt handles; absent: random.
  std::optional<uint64_t> seed;
  // Start with the clock frozen at this instant (ms since the epoch).
  std::optional<int64_t> frozen_clock_ms;
  std::vector<AccountConfig> accounts;
  std::vector<QueueConfig> queues;
  QueueSettings queue_settings;
  MnsWireSettings wire_settings;
  AlicomSettings alicom;
  // Topic deliveries: HTTP timeout and workers, the hosts HTTP endpoints
  // may name, the notification log's size ("topics" in the file).
  TopicSettings topics;
  // The certificate URL HTTP notifications name (x-mns-signing-cert-url);
  // empty: the emulator's own /_emulator/notifications/certificate.pem.
  std::string signing_cert_url;
  // Requests larger than this are refused before they are read.
  size_t max_request_bytes = 4 << 20;
  size_t max_connection_threads = 4096;
  // How long an idle keep-alive connection stays open. Longer than the
  // clients' own idle timeouts (Node.js agents: 4-15 s), so the server is not
  // the side that closes a connection a client is about to reuse.
  int keep_alive_seconds = 30;
  // The request line and headers together, and how many header fields;
  // beyond either the answer is 431. A POP GET carries all its parameters in
  // the request line: 1,000 numbers and a 9 KB TemplateParam fit.
  size_t max_header_bytes = 64 << 10;
  size_t max_header_count = 100;
  // A request must arrive whole within this of its first byte, however it
  // trickles; then the connection is closed.
  int64_t request_deadline_ms = 10'000;
  // Open connections beyond this get 503 and are closed.
  size_t max_connections = 10'000;
  // When set, every /_emulator/ control request must carry
  // "Authorization: Bearer <control_token>".
  std::string control_token;

  // Fault rules in force from start-up (as POST /_emulator/faults takes
  // them); /_emulator/reset clears them.
  std::vector<FaultRule> faults;
  // A stall fault answers nothing for at most this long, then closes.
  int64_t fault_stall_cap_ms = 60'000;
  // The request journal keeps this many of the latest requests (0: none).
  size_t journal_capacity = 10'000;
  // Message bodies in the journal (--journal-bodies); never by default.
  bool journal_bodies = false;
  // One line per request on stderr (--log-requests).
  bool log_requests = false;
  // "debug" also logs the string to sign the server computed for each MNS
  // SignatureDoesNotMatch (--log-level debug).
  bool log_debug = false;
};

// The built-in default: account 1234567890123456 with key
// mns-emulator-key / mns-emulator-secret.
EmulatorConfig DefaultConfig();

// Parses a config file's text. Absent fields keep DefaultConfig() values;
// when "accounts" is given it replaces the default account.
StatusOr<EmulatorConfig> ParseConfig(const std::string& json_text);

// The configuration as ParseConfig() reads it: every field, so that parsing
// the result gives `config` back. With `mask_secrets`, access key secrets
// and the control token are "****" (mns-emulator --print-config).
nlohmann::json ConfigToJson(const EmulatorConfig& config, bool mask_secrets);

StatusOr<AuthMode> ParseAuthMode(const std::string& text);
// "info" (false) or "debug" (true).
StatusOr<bool> ParseLogLevel(const std::string& text);

// Outcome rules in their JSON form, shared by the config file and
// PUT /_emulator/sms/rules: [{"phone": "138*", "outcome": "failed",
// "err_code": "MK:0001", "err_msg": "空号", "reports": 1, "delay_seconds": 0}]
StatusOr<std::vector<OutcomeRule>> ParseOutcomeRules(
    const nlohmann::json& rules, const std::string& path);
nlohmann::json OutcomeRulesToJson(const std::vector<OutcomeRule>& rules);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CONFIG_H_
