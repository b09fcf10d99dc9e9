#include "emulator/http/control_api.h"

#include <openssl/crypto.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "emulator/config.h"
#include "emulator/core/json_text.h"
#include "emulator/http/metrics.h"
#include "emulator/http/version.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = JsonText(body);
  return response;
}

HttpResponse JsonError(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

// Compares in constant time (OpenSSL's CRYPTO_memcmp), so the time taken
// does not tell a guesser how much of the token was right.
bool SameSecret(std::string_view given, std::string_view expected) {
  return given.size() == expected.size() &&
         CRYPTO_memcmp(given.data(), expected.data(), given.size()) == 0;
}

}  // namespace

std::optional<HttpResponse> ControlApi::Refuse(
    const HttpRequest& request) const {
  if (auto origin = request.Header("Origin")) {
    const std::string host = request.Host();
    if (*origin != "http://" + host && *origin != "https://" + host) {
      return JsonError(403, "control requests from another origin (" + *origin +
                                ") are refused");
    }
  }
  // Receivers fetch the certificate to verify a notification: public.
  const bool certificate =
      request.method == "GET" &&
      request.path() == "/_emulator/notifications/certificate.pem";
  if (!control_token_.empty() && !certificate) {
    const std::string authorization =
        request.Header("Authorization").value_or("");
    if (!SameSecret(authorization, "Bearer " + control_token_)) {
      HttpResponse response =
          JsonError(401, "the controls need Authorization: Bearer <token>");
      response.SetHeader("WWW-Authenticate", "Bearer realm=\"mns-emulator\"");
      return response;
    }
  }
  if (request.method == "POST" || request.method == "PUT") {
    const std::string type = request.Header("Content-Type").value_or("");
    const std::string_view media =
        TrimAsciiWhitespace(std::string_view(type).substr(0, type.find(';')));
    if (!EqualsIgnoreCase(media, "application/json")) {
      return JsonError(415,
                       "control requests must be Content-Type: "
                       "application/json");
    }
  }
  return std::nullopt;
}

// Every control, in one place: adding one is a row and a handler.
const ControlApi::Route ControlApi::kRoutes[] = {
    {"GET", "/_emulator/health", &ControlApi::Health, "GetHealth"},
    {"GET", "/_emulator/metrics", &ControlApi::Metrics, "GetMetrics"},
    {"POST", "/_emulator/reset", &ControlApi::Reset, "Reset"},
    {"GET", "/_emulator/clock", &ControlApi::ClockState, "GetClock"},
    {"POST", "/_emulator/clock", &ControlApi::ChangeClock, "ChangeClock"},
    {"GET", "/_emulator/sms", &ControlApi::Outbox, "ListOutbox"},
    {"DELETE", "/_emulator/sms", &ControlApi::ClearOutbox, "ClearOutbox"},
    {"POST", "/_emulator/sms/up", &ControlApi::InjectSmsUp, "InjectSmsUp"},
    {"GET", "/_emulator/sms/rules", &ControlApi::Rules, "GetSmsRules"},
    {"PUT", "/_emulator/sms/rules", &ControlApi::PutRules, "PutSmsRules"},
    {"POST", "/_emulator/faults", &ControlApi::AddFault, "AddFault"},
    {"GET", "/_emulator/faults", &ControlApi::ListFaults, "ListFaults"},
    {"DELETE", "/_emulator/faults", &ControlApi::ClearFaults, "ClearFaults"},
    {"DELETE", "/_emulator/faults/*", &ControlApi::RemoveFault, "RemoveFault"},
    {"GET", "/_emulator/requests", &ControlApi::Requests, "ListRequests"},
    {"GET", "/_emulator/requests/summary", &ControlApi::RequestSummary,
     "SummarizeRequests"},
    {"DELETE", "/_emulator/requests", &ControlApi::ClearRequests,
     "ClearRequests"},
    {"GET", "/_emulator/notifications", &ControlApi::Notifications,
     "ListNotifications"},
    {"DELETE", "/_emulator/notifications", &ControlApi::ClearNotifications,
     "ClearNotifications"},
    {"GET", "/_emulator/notifications/certificate.pem",
     &ControlApi::SigningCertificate, "GetSigningCertificate"},
};

namespace {

bool PathMatches(std::string_view pattern, std::string_view path) {
  if (!pattern.ends_with("/*")) return pattern == path;
  pattern.remove_suffix(1);
  return path.size() > pattern.size() && path.starts_with(pattern) &&
         path.substr(pattern.size()).find('/') == std::string_view::npos;
}

}  // namespace

const ControlApi::Route* ControlApi::FindRoute(const HttpRequest& request) {
  for (const Route& route : kRoutes) {
    if (route.method == request.method &&
        PathMatches(route.path, request.path())) {
      return &route;
    }
  }
  return nullptr;
}

std::string_view ControlApi::OperationOf(const HttpRequest& request) {
  const Route* route = FindRoute(request);
  return route ? route->operation : "unknown";
}

HttpResponse ControlApi::Handle(const HttpRequest& request) const {
  if (auto refused = Refuse(request)) return *std::move(refused);
  if (const Route* route = FindRoute(request)) {
    return (this->*(route->handler))(request);
  }
  return JsonError(
      404, "no control " + request.method + " " + std::string(request.path()));
}

HttpResponse ControlApi::Health(const HttpRequest&) const {
  return Json(200, {{"status", "ok"}, {"version", EmulatorVersion()}});
}

HttpResponse ControlApi::Metrics(const HttpRequest&) const {
  if (!metrics_) return JsonError(404, "no metrics in this emulator");
  HttpResponse response{.body = metrics_()};
  response.SetHeader("Content-Type", PrometheusText::kContentType);
  return response;
}

HttpResponse ControlApi::Reset(const HttpRequest&) const {
  reset_();
  return Json(200, {{"status", "reset"}});
}

HttpResponse ControlApi::ClearOutbox(const HttpRequest&) const {
  alicom_->ClearOutbox();
  return Json(200, {{"status", "cleared"}});
}

HttpResponse ControlApi::Rules(const HttpRequest&) const {
  return Json(200, {{"rules", OutcomeRulesToJson(alicom_->Rules())}});
}

HttpResponse ControlApi::AddFault(const HttpRequest& request) const {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return JsonError(400, "the body must be JSON");
  auto rule = ParseFaultRule(body);
  if (!rule.ok()) return JsonError(400, rule.status().message());
  return Json(201, FaultRuleToJson(faults_->Add(std::move(rule).value())));
}

HttpResponse ControlApi::ListFaults(const HttpRequest&) const {
  json rules = json::array();
  for (const FaultRule& rule : faults_->List()) {
    rules.push_back(FaultRuleToJson(rule));
  }
  return Json(200, {{"rules", rules}});
}

HttpResponse ControlApi::ClearFaults(const HttpRequest&) const {
  faults_->Clear();
  return Json(200, {{"status", "cleared"}});
}

HttpResponse ControlApi::RemoveFault(const HttpRequest& request) const {
  const std::string_view path = request.path();
  const std::string id_text(path.substr(path.rfind('/') + 1));
  int64_t id = 0;
  auto [end, ec] =
      std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size()) {
    return JsonError(400, "a fault rule id is a number, not " + id_text);
  }
  if (!faults_->Remove(id)) {
    return JsonError(404, "no fault rule " + id_text);
  }
  return Json(200, {{"status", "removed"}, {"id", id}});
}

HttpResponse ControlApi::Requests(const HttpRequest& request) const {
  auto query = ParseJournalQuery(request.raw_query());
  if (!query.ok()) return JsonError(400, query.status().message());
  json entries = json::array();
  for (const JournalEntry& entry : journal_->Query(*query)) {
    entries.push_back(JournalEntryToJson(entry));
  }
  return Json(200, {{"requests", entries}});
}

HttpResponse ControlApi::RequestSummary(const HttpRequest&) const {
  json operations = json::object();
  for (const auto& [operation, by_status] : journal_->Summary()) {
    for (const auto& [status, count] : by_status) {
      operations[operation][std::to_string(status)] = count;
    }
  }
  return Json(200, {{"operations", operations}});
}

HttpResponse ControlApi::ClearRequests(const HttpRequest&) const {
  journal_->Clear();
  return Json(200, {{"status", "cleared"}});
}

HttpResponse ControlApi::ErrorResponse(int status,
                                       const std::string& message) const {
  return JsonError(status, message);
}

HttpResponse ControlApi::Outbox(const HttpRequest& request) const {
  const QueryParams query(request.raw_query());
  OutboxFilter filter{.phone_number = query.Get("phone").value_or(""),
                      .template_code = query.Get("template").value_or(""),
                      .biz_id = query.Get("biz_id").value_or("")};
  json messages = json::array();
  for (const SmsRecord& r : alicom_->Outbox(filter)) {
    json m = {{"account", r.account},
              {"biz_id", r.biz_id},
              {"phone_number", r.phone_number},
              {"sign_name", r.sign_name},
              {"template_code", r.template_code},
              {"template_param", r.template_param},
              {"content", r.content},
              {"out_id", r.out_id},
              {"sms_up_extend_code", r.up_extend_code},
              {"send_time", FormatBeijingTime(r.send_time)},
              {"send_status", r.send_status},
              {"err_code", r.err_code}};
    if (r.receive_time) m["receive_time"] = FormatBeijingTime(*r.receive_time);
    messages.push_back(std::move(m));
  }
  return Json(200, {{"messages", messages}});
}

HttpResponse ControlApi::InjectSmsUp(const HttpRequest& request) const {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return JsonError(400, "the body must be a JSON object");
  }
  SmsUpInjection reply;
  for (auto [key, target] : {std::pair{"phone_number", &reply.phone_number},
                             std::pair{"content", &reply.content},
                             std::pair{"account", &reply.account},
                             std::pair{"sign_name", &reply.sign_name},
                             std::pair{"dest_code", &reply.dest_code}}) {
    if (!body.contains(key)) continue;
    if (!body[key].is_string()) {
      return JsonError(400, std::string(key) + " must be a string");
    }
    *target = body[key].get<std::string>();
  }
  if (reply.phone_number.empty() || reply.content.empty()) {
    return JsonError(400, "phone_number and content are required");
  }
  auto queue = alicom_->InjectSmsUp(reply);
  if (!queue.ok()) return JsonError(404, queue.status().message());
  return Json(200, {{"status", "queued"}, {"queue", *queue}});
}

HttpResponse ControlApi::PutRules(const HttpRequest& request) const {
  json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object() || !body.contains("rules")) {
    return JsonError(400, "the body must be {\"rules\": [...]}");
  }
  auto rules = ParseOutcomeRules(body["rules"], "rules");
  if (!rules.ok()) return JsonError(400, rules.status().message());
  alicom_->SetRules(*rules);
  return Json(200, {{"rules", OutcomeRulesToJson(*rules)}});
}

HttpResponse ControlApi::ClockState(const HttpRequest&) const {
  const TimePoint now = clock_->Now();
  return Json(200, {{"now_ms", ToUnixMillis(now)},
                    {"now", FormatIso8601(now)},
                    {"frozen", clock_->frozen()}});
}

HttpResponse ControlApi::ChangeClock(const HttpRequest& request) const {
  json body = json::parse(request.body.empty() ? "{}" : request.body, nullptr,
                          /*allow_exceptions=*/false);
  if (body.is_discarded() || !body.is_object()) {
    return JsonError(400, "the body must be a JSON object");
  }
  // Bounds that keep every time the emulator computes from `now` (expiry,
  // visibility, token lifetimes) far from overflow, and every date it
  // prints four digits long.
  constexpr int64_t kMaxAdvanceMs = 100LL * 366 * 24 * 3600 * 1000;
  const TimePoint latest = FromUnixMillis(253'402'300'799'000);  // 9999-12-31
  int64_t advance_ms = 0;
  for (const auto& [key, value] : body.items()) {
    if (key == "freeze" || key == "resume") {
      if (!value.is_boolean())
        return JsonError(400, key + " must be a boolean");
    } else if (key == "advance_ms" || key == "advance_seconds") {
      const int64_t unit_ms = key == "advance_ms" ? 1 : 1000;
      if (!value.is_number_integer() ||
          (value.is_number_unsigned() &&
           value.get<uint64_t>() > uint64_t{INT64_MAX}) ||
          value.get<int64_t>() < 0 ||
          value.get<int64_t>() > kMaxAdvanceMs / unit_ms) {
        return JsonError(400, key + " must be an integer from 0 to " +
                                  std::to_string(kMaxAdvanceMs / unit_ms) +
                                  " (100 years)");
      }
      advance_ms += value.get<int64_t>() * unit_ms;
    } else {
      return JsonError(400, "unknown field " + key);
    }
  }
  if (advance_ms > kMaxAdvanceMs) {
    return JsonError(400,
                     "advance_ms and advance_seconds together exceed "
                     "100 years");
  }
  if (clock_->Now() + Duration(advance_ms) > latest) {
    return JsonError(400, "the clock cannot go past 9999-12-31T23:59:59Z");
  }
  if (body.value("freeze", false) && body.value("resume", false)) {
    return JsonError(400, "freeze and resume together");
  }
  if (body.value("freeze", false)) clock_->Freeze();
  if (body.value("resume", false)) clock_->Resume();
  clock_->Advance(Duration(advance_ms));
  // Receipts and topic deliveries now due are in their queues when this
  // answers.
  alicom_->DeliverDue();
  topics_->DeliverDue();
  return ClockState(request);
}

HttpResponse ControlApi::Notifications(const HttpRequest& request) const {
  const QueryParams query(request.raw_query());
  DeliveryFilter filter{.topic = query.Get("topic").value_or(""),
                        .subscription = query.Get("subscription").value_or(""),
                        .kind = query.Get("kind").value_or("")};
  if (auto state = query.Get("state")) {
    for (DeliveryState s : {DeliveryState::kPending, DeliveryState::kDelivered,
                            DeliveryState::kFailed, DeliveryState::kDropped}) {
      if (*state == DeliveryStateName(s)) filter.state = s;
    }
    if (!filter.state) {
      return JsonError(400,
                       "state must be pending, delivered, failed or dropped");
    }
  }
  if (auto limit = query.Get("limit")) {
    size_t value = 0;
    auto [end, ec] =
        std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc() || end != limit->data() + limit->size() ||
        value < 1 || value > 100'000) {
      return JsonError(400, "limit must be an integer from 1 to 100000");
    }
    filter.limit = value;
  }
  json out = json::array();
  for (const Delivery& d : topics_->Deliveries(filter)) {
    json attempts = json::array();
    for (const DeliveryAttempt& a : d.attempts) {
      json attempt = {{"attempt", a.number},
                      {"due", FormatIso8601(a.due)},
                      {"time", FormatIso8601(a.time)},
                      {"ok", a.ok},
                      {"result", a.result}};
      if (a.http_status != 0) attempt["http_status"] = a.http_status;
      attempts.push_back(std::move(attempt));
    }
    json entry = {
        {"id", d.id},
        {"account", d.account},
        {"topic", d.topic},
        {"subscription", d.subscription},
        {"endpoint", d.endpoint.text},
        {"kind", EndpointKindName(d.endpoint.kind)},
        {"format", NotifyContentFormatName(d.format)},
        {"strategy", NotifyStrategyName(d.strategy)},
        {"message_id", d.message_id},
        {"publish_time", FormatIso8601(d.publish_time)},
        {"state", DeliveryStateName(d.state)},
        {"attempts", attempts},
        {"in_flight", d.in_flight},
        {"next_retry",
         d.next_attempt ? json(FormatIso8601(*d.next_attempt)) : json(nullptr)},
        {"body", d.body}};
    if (d.detail.is_object()) entry.update(d.detail);
    out.push_back(std::move(entry));
  }
  return Json(200, {{"notifications", out}});
}

HttpResponse ControlApi::ClearNotifications(const HttpRequest&) const {
  topics_->ClearDeliveries();
  return Json(200, {{"status", "cleared"}});
}

HttpResponse ControlApi::SigningCertificate(const HttpRequest&) const {
  auto pem = topics_->signer().CertificatePem();
  if (!pem.ok()) return JsonError(500, pem.status().message());
  HttpResponse response;
  response.status = 200;
  response.SetHeader("Content-Type", "application/x-pem-file");
  response.body = *pem;
  return response;
}

}  // namespace mns::emulator
