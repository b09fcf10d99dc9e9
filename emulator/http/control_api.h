// ControlApi: the emulator's own controls under /_emulator/, which no cloud
// has: health, reset, and the virtual clock. JSON in and out. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_CONTROL_API_H_
#define MNS_EMULATOR_HTTP_CONTROL_API_H_

#include <functional>

#include "client/common/clock.h"
#include "emulator/http/wire.h"
#include "emulator/service/alicom_service.h"

namespace mns::emulator {

class ControlApi {
 public:
  // `reset` restores the configured start state. Pointers must outlive this.
  ControlApi(SimulatedClock* clock, AlicomService* alicom,
             std::function<void()> reset)
      : clock_(clock), alicom_(alicom), reset_(std::move(reset)) {}

  // GET  /_emulator/health -> {"status":"ok"}
  // POST /_emulator/reset  -> drops all queues and messages, recreates the
  //                           configured queues
  // GET  /_emulator/clock  -> {"now_ms":..,"now":"..Z","frozen":..}
  // POST /_emulator/clock  {"freeze":true} | {"resume":true} |
  //                        {"advance_ms":N} | {"advance_seconds":N}
  //                        (combinable: freeze/resume first, then advance)
  // GET    /_emulator/sms[?phone=&template=&biz_id=]  -> {"messages":[...]}
  // DELETE /_emulator/sms  -> clears the outbox and undelivered receipts
  // POST   /_emulator/sms/up {"phone_number","content"[,"account",
  //                          "sign_name","dest_code"]} -> enqueues an SmsUp
  // GET    /_emulator/sms/rules -> {"rules":[...]}
  // PUT    /_emulator/sms/rules {"rules":[...]} -> replaces the rules
  HttpResponse Handle(const HttpRequest& request) const;

  // {"error": message} with `status`.
  HttpResponse ErrorResponse(int status, const std::string& message) const;

 private:
  HttpResponse ClockState() const;
  HttpResponse ChangeClock(const HttpRequest& request) const;
  HttpResponse Outbox(const HttpRequest& request) const;
  HttpResponse InjectSmsUp(const HttpRequest& request) const;
  HttpResponse PutRules(const HttpRequest& request) const;

  SimulatedClock* clock_;
  AlicomService* alicom_;
  std::function<void()> reset_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_CONTROL_API_H_
