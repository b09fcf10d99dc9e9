#include "emulator/http/control_api.h"

#include <nlohmann/json.hpp>

#include "client/common/time_format.h"

namespace mns::emulator {
namespace {

using nlohmann::json;

HttpResponse Json(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = body.dump();
  return response;
}

HttpResponse JsonError(int status, const std::string& message) {
  return Json(status, {{"error", message}});
}

}  // namespace

HttpResponse ControlApi::Handle(const HttpRequest& request) const {
  const std::string_view path = request.path();
  const std::string& method = request.method;
  if (path == "/_emulator/health" && method == "GET") {
    return Json(200, {{"status", "ok"}});
  }
  if (path == "/_emulator/reset" && method == "POST") {
    reset_();
    return Json(200, {{"status", "reset"}});
  }
  if (path == "/_emulator/clock") {
    if (method == "GET") return ClockState();
    if (method == "POST") return ChangeClock(request);
  }
  return JsonError(404, "no control " + method + " " + std::string(path));
}

HttpResponse ControlApi::ClockState() const {
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
  int64_t advance_ms = 0;
  for (const auto& [key, value] : body.items()) {
    if (key == "freeze" || key == "resume") {
      if (!value.is_boolean())
        return JsonError(400, key + " must be a boolean");
    } else if (key == "advance_ms" || key == "advance_seconds") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        return JsonError(400, key + " must be a non-negative integer");
      }
      advance_ms += value.get<int64_t>() * (key == "advance_ms" ? 1 : 1000);
    } else {
      return JsonError(400, "unknown field " + key);
    }
  }
  if (body.value("freeze", false) && body.value("resume", false)) {
    return JsonError(400, "freeze and resume together");
  }
  if (body.value("freeze", false)) clock_->Freeze();
  if (body.value("resume", false)) clock_->Resume();
  clock_->Advance(Duration(advance_ms));
  return ClockState();
}

}  // namespace mns::emulator
