#include "emulator/core/sms.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "emulator/core/errors.h"
#include "emulator/core/json_text.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

using nlohmann::json;

constexpr size_t kMaxNumbersPerSend = 1000;
constexpr int64_t kQueryWindowDays = 30;

std::string NormalizeNumber(const std::string& number) {
  for (std::string_view prefix : {"+86", "0086", "86"}) {
    if (number.size() == 11 + prefix.size() && number.starts_with(prefix)) {
      return number.substr(prefix.size());
    }
  }
  return number;
}

// "yyyy-MM-dd" of a Beijing time.
std::string BeijingDate(TimePoint t) {
  return FormatBeijingTime(t).substr(0, 10);
}

// One part is 70 characters, a longer text is split in parts of 67 (spec
// alicom §5.2: sms_size is the parts count).
int SmsParts(const std::string& utf8) {
  size_t chars = 0;
  for (unsigned char c : utf8) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  return chars <= 70 ? 1 : static_cast<int>((chars + 66) / 67);
}

const std::string& Pick(const std::vector<std::string>& values, size_t i) {
  static const std::string kEmpty;
  if (values.empty()) return kEmpty;
  return values.size() == 1 ? values[0] : values[i];
}

}  // namespace

bool IsMainlandMobileNumber(const std::string& number) {
  const std::string n = NormalizeNumber(number);
  return n.size() == 11 && n[0] == '1' &&
         std::all_of(n.begin(), n.end(), ::isdigit);
}

StatusOr<std::string> SmsCenter::RenderContent(
    const std::string& sign_name, const std::string& template_code,
    const std::string& template_param) const {
  json params = json::object();
  if (!template_param.empty()) {
    params = json::parse(template_param, nullptr, /*allow_exceptions=*/false);
    bool strings_only = params.is_object();
    for (const auto& [key, value] : params.items()) {
      strings_only = strings_only && value.is_string();
    }
    if (params.is_discarded() || !strings_only) {
      return SmsBusinessError("isv.INVALID_JSON_PARAM");
    }
  }
  auto it = settings_.templates.find(template_code);
  if (it == settings_.templates.end()) {
    // Accept-any mode: no template text is known, so the content shows the
    // template code and its parameters.
    return "【" + sign_name + "】" + template_code +
           (template_param.empty() ? "" : " " + template_param);
  }
  std::string content;
  static const std::regex kVariable(R"(\$\{([^}]*)\})");
  std::string rest = it->second;
  std::smatch m;
  while (std::regex_search(rest, m, kVariable)) {
    const std::string name = m[1];
    if (!params.contains(name)) {
      return SmsBusinessError("isv.TEMPLATE_MISSING_PARAMETERS");
    }
    content += m.prefix().str() + params[name].get<std::string>();
    rest = m.suffix().str();
  }
  return "【" + sign_name + "】" + content + rest;
}

const OutcomeRule* SmsCenter::MatchRule(const std::string& phone_number) const {
  for (const OutcomeRule& rule : settings_.rules) {
    if (GlobMatches(rule.phone, phone_number)) return &rule;
  }
  return nullptr;
}

StatusOr<std::string> SmsCenter::Send(const std::string& account,
                                      const SmsSubmission& request,
                                      TimePoint now) {
  const auto& numbers = request.phone_numbers;
  if (numbers.size() > kMaxNumbersPerSend) {
    return SmsBusinessError("isv.MOBILE_COUNT_OVER_LIMIT");
  }
  for (const std::string& number : numbers) {
    if (!IsMainlandMobileNumber(number)) {
      return SmsBusinessError("isv.MOBILE_NUMBER_ILLEGAL");
    }
  }
  for (const std::string& sign : request.sign_names) {
    if (!settings_.sign_names.empty() &&
        std::find(settings_.sign_names.begin(), settings_.sign_names.end(),
                  sign) == settings_.sign_names.end()) {
      return SmsBusinessError("isv.SMS_SIGNATURE_ILLEGAL");
    }
  }
  if (!settings_.templates.empty() &&
      settings_.templates.count(request.template_code) == 0) {
    return SmsBusinessError("isv.SMS_TEMPLATE_ILLEGAL");
  }
  std::vector<std::string> contents;
  for (size_t i = 0; i < numbers.size(); ++i) {
    MNS_ASSIGN_OR_RETURN(
        std::string content,
        RenderContent(Pick(request.sign_names, i), request.template_code,
                      Pick(request.template_params, i)));
    contents.push_back(std::move(content));
  }

  size_t reports_needed = 0;
  for (const std::string& number : numbers) {
    const OutcomeRule* rule = MatchRule(NormalizeNumber(number));
    reports_needed += rule ? std::max(rule->reports, 1) : 1;
  }
  if (pending_.size() + reports_needed > settings_.max_pending_reports) {
    return SmsFlowControlError();
  }

  // "<18 digits>^0", as the docs' examples (spec alicom §6.1).
  const std::string biz_id =
      std::to_string(
          random_->Uniform(100'000'000'000'000'000, 999'999'999'999'999'999)) +
      "^0";
  for (size_t i = 0; i < numbers.size(); ++i) {
    SmsRecord record{.account = account,
                     .biz_id = biz_id,
                     .phone_number = NormalizeNumber(numbers[i]),
                     .sign_name = Pick(request.sign_names, i),
                     .template_code = request.template_code,
                     .template_param = Pick(request.template_params, i),
                     .content = contents[i],
                     .out_id = request.out_id,
                     .up_extend_code = Pick(request.up_extend_codes, i),
                     .send_time = now,
                     .sms_size = SmsParts(contents[i])};
    const OutcomeRule default_rule;
    const OutcomeRule* rule = MatchRule(record.phone_number);
    if (rule == nullptr) rule = &default_rule;
    const TimePoint due =
        now +
        Duration(1000 * (settings_.report_delay_seconds + rule->delay_seconds));
    const uint64_t index = next_record_++;
    records_.emplace(index, std::move(record));
    // The first receipt settles the record; a "never reported" send settles
    // it just the same, so QuerySendDetails can compensate.
    for (int r = 0; r < std::max(rule->reports, 1); ++r) {
      pending_.insert(Pending{.due = due,
                              .order = next_order_++,
                              .record = index,
                              .delivered = rule->delivered,
                              .err_code = rule->err_code,
                              .err_msg = rule->err_msg,
                              .apply_outcome = r == 0,
                              .enqueue = rule->reports > 0});
      if (rule->reports > 0) ++reports_scheduled_;
    }
  }
  TrimRecords();
  return biz_id;
}

void SmsCenter::TrimRecords() {
  while (records_.size() > settings_.max_records) {
    auto victim = std::find_if(
        records_.begin(), records_.end(),
        [](const auto& entry) { return entry.second.send_status != 1; });
    if (victim == records_.end()) {
      victim = records_.begin();
      std::erase_if(pending_, [&](const Pending& p) {
        return p.record == victim->first;
      });
    }
    records_.erase(victim);
  }
}

std::vector<DueReport> SmsCenter::TakeDue(TimePoint now) {
  std::vector<DueReport> due;
  while (!pending_.empty() && pending_.begin()->due <= now) {
    Pending p = *pending_.begin();
    pending_.erase(pending_.begin());
    auto found = records_.find(p.record);
    if (found == records_.end()) continue;  // dropped by TrimRecords
    SmsRecord& record = found->second;
    if (p.apply_outcome) {
      record.send_status = p.delivered ? 3 : 2;
      record.receive_time = p.due;
      record.err_code = p.delivered ? "DELIVRD" : p.err_code;
      record.err_msg = p.delivered ? "用户接收成功" : p.err_msg;
    }
    if (!p.enqueue) continue;
    // Field names and JSON types exactly as spec alicom §5.2: success is a
    // boolean, sms_size a string.
    json body = {
        {"phone_number", record.phone_number},
        {"send_time", FormatBeijingTime(record.send_time)},
        {"report_time", FormatBeijingTime(p.due)},
        {"success", p.delivered},
        {"err_code", p.delivered ? "DELIVERED" : p.err_code},
        {"err_msg", p.delivered ? "用户接收成功" : p.err_msg},
        {"sms_size", std::to_string(record.sms_size)},
        {"biz_id", record.biz_id},
        {"out_id", record.out_id},
    };
    due.push_back({record.account, JsonText(body)});
    ++reports_delivered_;
  }
  return due;
}

std::optional<TimePoint> SmsCenter::NextDue() const {
  if (pending_.empty()) return std::nullopt;
  return pending_.begin()->due;
}

StatusOr<SmsRecordPage> SmsCenter::QuerySendDetails(
    const SendDetailsQuery& query, TimePoint now) const {
  const Status invalid = SmsBusinessError("isv.INVALID_PARAMETERS");
  // Exactly one number per query (spec alicom §6.3).
  if (!IsMainlandMobileNumber(query.phone_number)) {
    return SmsBusinessError("isv.MOBILE_NUMBER_ILLEGAL");
  }
  const std::string& d = query.send_date;
  if (d.size() != 8 || !std::all_of(d.begin(), d.end(), ::isdigit)) {
    return invalid;
  }
  // The date is a Beijing calendar day within the last 30 (spec alicom
  // §6.3); Beijing midnight of it must parse.
  auto day = ParseBeijingTime(d.substr(0, 4) + "-" + d.substr(4, 2) + "-" +
                              d.substr(6, 2) + " 00:00:00");
  if (!day) return invalid;
  auto today = ParseBeijingTime(BeijingDate(now) + " 00:00:00");
  const auto age =
      std::chrono::duration_cast<std::chrono::hours>(*today - *day);
  if (age.count() < 0 || age.count() >= 24 * kQueryWindowDays) return invalid;
  if (query.page_size < 1 || query.page_size > 50 || query.current_page < 1) {
    return invalid;
  }
  const std::string date = BeijingDate(*day);
  const std::string phone = NormalizeNumber(query.phone_number);
  SmsRecordPage page;
  int64_t skip = (query.current_page - 1) * query.page_size;
  for (const auto& [key, r] : records_) {
    if (r.account != query.account || r.phone_number != phone ||
        BeijingDate(r.send_time) != date ||
        (!query.biz_id.empty() && r.biz_id != query.biz_id)) {
      continue;
    }
    ++page.total_count;
    if (skip > 0) {
      --skip;
    } else if (static_cast<int64_t>(page.records.size()) < query.page_size) {
      page.records.push_back(r);
    }
  }
  return page;
}

std::optional<SmsRecord> SmsCenter::LatestTo(
    const std::string& account, const std::string& phone_number) const {
  const std::string phone = NormalizeNumber(phone_number);
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
    const SmsRecord& r = it->second;
    if (r.account == account && r.phone_number == phone) return r;
  }
  return std::nullopt;
}

std::vector<SmsRecord> SmsCenter::Outbox(const OutboxFilter& filter) const {
  std::vector<SmsRecord> out;
  for (const auto& [key, r] : records_) {
    if ((filter.phone_number.empty() ||
         r.phone_number == NormalizeNumber(filter.phone_number)) &&
        (filter.template_code.empty() ||
         r.template_code == filter.template_code) &&
        (filter.biz_id.empty() || r.biz_id == filter.biz_id)) {
      out.push_back(r);
    }
  }
  return out;
}

void SmsCenter::ClearOutbox() {
  records_.clear();
  pending_.clear();
}

}  // namespace mns::emulator
