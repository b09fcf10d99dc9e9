#include "mns/receipts.h"

#include <charconv>
#include <nlohmann/json.hpp>

namespace mns {
namespace {

using nlohmann::json;

Status NotAReceipt(const std::string& why) {
  return Status(StatusCode::kDataLoss, "not an Alicom receipt: " + why);
}

StatusOr<json> ParseObject(std::string_view text) {
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    return NotAReceipt("the body is not a JSON object");
  }
  return object;
}

// A string field; absent optional fields read as "".
StatusOr<std::string> String(const json& object, const char* name,
                             bool required) {
  auto it = object.find(name);
  if (it == object.end() || it->is_null()) {
    if (required) return NotAReceipt(std::string(name) + " is missing");
    return std::string();
  }
  if (!it->is_string())
    return NotAReceipt(std::string(name) + " is not a string");
  return it->get<std::string>();
}

}  // namespace

StatusOr<SmsReport> ParseSmsReport(std::string_view text) {
  MNS_ASSIGN_OR_RETURN(json o, ParseObject(text));
  SmsReport r;
  MNS_ASSIGN_OR_RETURN(r.phone_number, String(o, "phone_number", true));
  auto success = o.find("success");
  if (success == o.end() || !success->is_boolean()) {
    return NotAReceipt("success is missing or not a boolean");
  }
  r.success = success->get<bool>();
  MNS_ASSIGN_OR_RETURN(r.biz_id, String(o, "biz_id", true));
  MNS_ASSIGN_OR_RETURN(r.out_id, String(o, "out_id", false));
  MNS_ASSIGN_OR_RETURN(r.send_time, String(o, "send_time", false));
  MNS_ASSIGN_OR_RETURN(r.report_time, String(o, "report_time", false));
  MNS_ASSIGN_OR_RETURN(r.err_code, String(o, "err_code", false));
  MNS_ASSIGN_OR_RETURN(r.err_msg, String(o, "err_msg", false));
  // sms_size is a string on the wire; some producers send a number (spec
  // alicom §5.2): accept both.
  auto size = o.find("sms_size");
  if (size != o.end() && size->is_number_integer()) {
    r.sms_size = size->get<int64_t>();
  } else if (size != o.end() && size->is_string()) {
    const std::string s = size->get<std::string>();
    std::from_chars(s.data(), s.data() + s.size(), r.sms_size);
  }
  return r;
}

StatusOr<SmsUp> ParseSmsUp(std::string_view text) {
  MNS_ASSIGN_OR_RETURN(json o, ParseObject(text));
  SmsUp u;
  MNS_ASSIGN_OR_RETURN(u.phone_number, String(o, "phone_number", true));
  MNS_ASSIGN_OR_RETURN(u.content, String(o, "content", true));
  MNS_ASSIGN_OR_RETURN(u.send_time, String(o, "send_time", false));
  MNS_ASSIGN_OR_RETURN(u.sign_name, String(o, "sign_name", false));
  MNS_ASSIGN_OR_RETURN(u.dest_code, String(o, "dest_code", false));
  auto sequence = o.find("sequence_id");
  if (sequence != o.end() && sequence->is_number()) {
    u.sequence_id = sequence->get<int64_t>();
  }
  return u;
}

}  // namespace mns
