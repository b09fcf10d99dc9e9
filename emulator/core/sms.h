// SmsCenter: the pure model of Dysmsapi's side of the Alicom flow (spec
// alicom §5, §6): send records, BizIds, the receipts each send will produce
// under the outcome rules, and QuerySendDetails over the records. It never
// reads a clock: every call takes `now`, and the caller (emulator/service)
// serialises access and delivers due receipts. Not thread-safe.
#ifndef MNS_EMULATOR_CORE_SMS_H_
#define MNS_EMULATOR_CORE_SMS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "mns/common/clock.h"
#include "mns/common/random.h"
#include "mns/common/status.h"

namespace mns::emulator {

// How the receipts of a matching phone number turn out. Rules are matched in
// order; the first whose pattern matches the number wins; a number no rule
// matches is delivered, reported once, after the default delay.
struct OutcomeRule {
  // The number as sent ("13800000000"), or a pattern where '*' matches any
  // run of characters and '?' any one ("1380000*").
  std::string phone;
  bool delivered = true;
  std::string err_code;  // for a failure, e.g. "MK:0001"
  std::string err_msg;   // e.g. "空号"
  // How many SmsReport messages the send produces: 0 ("never reported",
  // to exercise compensation), 1, or 2 ("reported twice", for idempotency).
  int reports = 1;
  // Extra seconds before the receipt, on top of the default delay.
  int64_t delay_seconds = 0;
};

struct SmsSettings {
  // Approved sign names and template contents ("验证码${code}"); empty means
  // any is accepted.
  std::vector<std::string> sign_names;
  std::map<std::string, std::string> templates;
  // Seconds from a send to its receipt.
  int64_t report_delay_seconds = 2;
  std::vector<OutcomeRule> rules;
  // Bounds on memory. Beyond `max_records`, the oldest settled records are
  // dropped first (then the oldest, with any receipt still due). A send
  // that would leave more than `max_pending_reports` receipts due is
  // refused with isv.BUSINESS_LIMIT_CONTROL rather than lose one later.
  size_t max_records = 100'000;
  size_t max_pending_reports = 100'000;
};

struct SmsSubmission {
  std::vector<std::string> phone_numbers;
  std::vector<std::string> sign_names;  // one, or one per number
  std::string template_code;
  std::vector<std::string> template_params;  // none, one, or one per number
  std::vector<std::string> up_extend_codes;  // none, one, or one per number
  std::string out_id;
};

// One recipient of one send.
struct SmsRecord {
  std::string account;  // the sender's Alicom uid
  std::string biz_id;
  std::string phone_number;
  std::string sign_name;
  std::string template_code;
  std::string template_param;
  std::string content;  // 【sign】 + the filled template
  std::string out_id;
  std::string up_extend_code;
  TimePoint send_time;
  // 1 waiting for a receipt, 2 failed, 3 delivered (spec alicom §6.3).
  int send_status = 1;
  std::optional<TimePoint> receive_time;
  std::string err_code;  // "DELIVRD" on success, as QuerySendDetails shows it
  std::string err_msg;
  int sms_size = 1;
};

// A receipt that has come due: the record it reports and the JSON body of
// the SmsReport message (spec alicom §5.2), not yet base64-encoded.
struct DueReport {
  std::string account;
  std::string json;
};

struct SendDetailsQuery {
  std::string account;
  std::string phone_number;
  std::string send_date;  // yyyyMMdd, Beijing calendar date
  std::string biz_id;     // optional filter
  int64_t page_size = 10;
  int64_t current_page = 1;
};

struct SmsRecordPage {
  int64_t total_count = 0;
  std::vector<SmsRecord> records;
};

struct OutboxFilter {
  std::string phone_number;
  std::string template_code;
  std::string biz_id;
};

class SmsCenter {
 public:
  SmsCenter(SmsSettings settings, Random* random)
      : settings_(std::move(settings)), random_(random) {}

  // Validates as Dysmsapi does and records one SmsRecord per number. Business
  // errors are Status values whose error_code is the isv.* code.
  StatusOr<std::string> Send(const std::string& account,
                             const SmsSubmission& request, TimePoint now);

  // Receipts due by `now`, in due order; applies their outcome to the
  // records.
  std::vector<DueReport> TakeDue(TimePoint now);
  std::optional<TimePoint> NextDue() const;

  StatusOr<SmsRecordPage> QuerySendDetails(const SendDetailsQuery& query,
                                           TimePoint now) const;

  // The newest record sent to `phone_number` by `account`, if any: a reply
  // is attributed to it (its SmsUpExtendCode becomes dest_code).
  std::optional<SmsRecord> LatestTo(const std::string& account,
                                    const std::string& phone_number) const;

  std::vector<SmsRecord> Outbox(const OutboxFilter& filter) const;
  void ClearOutbox();

  // Receipts scheduled for a queue since start, those taken due since, and
  // those waiting (metrics). "Never reported" sends schedule none.
  uint64_t reports_scheduled() const { return reports_scheduled_; }
  uint64_t reports_delivered() const { return reports_delivered_; }
  size_t reports_pending() const { return pending_.size(); }

  const std::vector<OutcomeRule>& rules() const { return settings_.rules; }
  void SetRules(std::vector<OutcomeRule> rules) {
    settings_.rules = std::move(rules);
  }

 private:
  struct Pending {
    TimePoint due;
    uint64_t order;
    uint64_t record;  // key in records_
    bool delivered;
    std::string err_code;
    std::string err_msg;
    bool apply_outcome;  // the first report of a send settles the record
    bool enqueue;        // false for a "never reported" send
    friend bool operator<(const Pending& a, const Pending& b) {
      return std::tie(a.due, a.order) < std::tie(b.due, b.order);
    }
  };

  StatusOr<std::string> RenderContent(const std::string& sign_name,
                                      const std::string& template_code,
                                      const std::string& template_param) const;
  const OutcomeRule* MatchRule(const std::string& phone_number) const;

  SmsSettings settings_;
  Random* random_;
  // Drops records beyond settings_.max_records, oldest settled first.
  void TrimRecords();

  std::map<uint64_t, SmsRecord> records_;  // by send order
  uint64_t next_record_ = 0;
  std::multiset<Pending> pending_;
  uint64_t next_order_ = 0;
  uint64_t reports_scheduled_ = 0;
  uint64_t reports_delivered_ = 0;
};

// "13800000000" (11 digits from 1), optionally after +86, 0086 or 86.
bool IsMainlandMobileNumber(const std::string& number);

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_CORE_SMS_H_
