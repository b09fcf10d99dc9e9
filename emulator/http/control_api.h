// ControlApi: the emulator's own controls under /_emulator/, which no cloud
// has: health, reset, and the virtual clock. JSON in and out. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_CONTROL_API_H_
#define MNS_EMULATOR_HTTP_CONTROL_API_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "emulator/http/faults.h"
#include "emulator/http/journal.h"
#include "emulator/http/wire.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/clock.h"

namespace mns::emulator {

class ControlApi {
 public:
  // `reset` restores the configured start state. A non-empty
  // `control_token` must come as "Authorization: Bearer <token>" on every
  // control request. Pointers must outlive this.
  ControlApi(SimulatedClock* clock, AlicomService* alicom, TopicService* topics,
             FaultRuleSet* faults, RequestJournal* journal,
             std::function<void()> reset, std::string control_token = "",
             std::function<std::string()> metrics = nullptr)
      : clock_(clock),
        alicom_(alicom),
        topics_(topics),
        faults_(faults),
        journal_(journal),
        reset_(std::move(reset)),
        control_token_(std::move(control_token)),
        metrics_(std::move(metrics)) {}

  // GET  /_emulator/health -> {"status":"ok"}
  // GET  /_emulator/metrics -> the Prometheus text format (metrics.h)
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
  // POST   /_emulator/faults {rule} -> the rule with its id (faults.h)
  // GET    /_emulator/faults -> {"rules":[...]} with matched, fired, hits
  // DELETE /_emulator/faults[/{id}] -> removes all rules, or one
  // GET    /_emulator/requests[?operation=&queue=&status=&code=&since=
  //                            &limit=] -> {"requests":[...]}, oldest first
  // GET    /_emulator/requests/summary -> {"operations":{op:{status:n}}}
  // DELETE /_emulator/requests -> clears the journal
  // GET    /_emulator/notifications[?topic=&subscription=&state=&kind=
  //                                 &limit=] -> {"notifications":[...]}:
  //                           every topic delivery and its attempts
  // DELETE /_emulator/notifications -> clears that log (and what is
  //                           pending)
  // GET    /_emulator/notifications/certificate.pem -> the certificate
  //                           HTTP notifications are signed with; public,
  //                           so it needs no control token
  //
  // The controls can wipe every queue, so before any of them: an Origin
  // other than the emulator's own is 403 (a web page the developer opens
  // must not reach them), a missing or wrong control token 401, and a POST
  // or PUT whose Content-Type is not application/json 415 (browsers send
  // text/plain cross-origin without asking first).
  HttpResponse Handle(const HttpRequest& request) const;
  // The control's name for the metrics ("AddFault"), or "unknown" for a
  // path nobody serves: a scanner cannot add series without end.
  static std::string_view OperationOf(const HttpRequest& request);

  // {"error": message} with `status`.
  HttpResponse ErrorResponse(int status, const std::string& message) const;

 private:
  using Handler = HttpResponse (ControlApi::*)(const HttpRequest&) const;
  struct Route {
    std::string_view method;
    std::string_view path;  // a trailing "/*" takes one more segment
    Handler handler;
    std::string_view operation;  // its name in the metrics
  };
  static const Route* FindRoute(const HttpRequest& request);
  static const Route kRoutes[];

  // The guard's answer, if it refuses `request`.
  std::optional<HttpResponse> Refuse(const HttpRequest& request) const;
  HttpResponse Health(const HttpRequest& request) const;
  HttpResponse Metrics(const HttpRequest& request) const;
  HttpResponse Reset(const HttpRequest& request) const;
  HttpResponse ClockState(const HttpRequest& request) const;
  HttpResponse ChangeClock(const HttpRequest& request) const;
  HttpResponse Outbox(const HttpRequest& request) const;
  HttpResponse ClearOutbox(const HttpRequest& request) const;
  HttpResponse InjectSmsUp(const HttpRequest& request) const;
  HttpResponse Rules(const HttpRequest& request) const;
  HttpResponse PutRules(const HttpRequest& request) const;
  HttpResponse AddFault(const HttpRequest& request) const;
  HttpResponse ListFaults(const HttpRequest& request) const;
  HttpResponse ClearFaults(const HttpRequest& request) const;
  HttpResponse RemoveFault(const HttpRequest& request) const;
  HttpResponse Requests(const HttpRequest& request) const;
  HttpResponse RequestSummary(const HttpRequest& request) const;
  HttpResponse ClearRequests(const HttpRequest& request) const;
  HttpResponse Notifications(const HttpRequest& request) const;
  HttpResponse ClearNotifications(const HttpRequest& request) const;
  HttpResponse SigningCertificate(const HttpRequest& request) const;

  SimulatedClock* clock_;
  AlicomService* alicom_;
  TopicService* topics_;
  FaultRuleSet* faults_;
  RequestJournal* journal_;
  std::function<void()> reset_;
  const std::string control_token_;
  const std::function<std::string()> metrics_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_CONTROL_API_H_
