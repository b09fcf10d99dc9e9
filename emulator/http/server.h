// Server: one emulator instance on one port. It owns the clock, the queue
// service, the credentials and the APIs, serves them through an HttpFrontEnd,
// and routes every request in Route(). Start() returns once the port is
// bound, so a client may connect at once. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_SERVER_H_
#define MNS_EMULATOR_HTTP_SERVER_H_

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "emulator/config.h"
#include "emulator/http/control_api.h"
#include "emulator/http/faults.h"
#include "emulator/http/http_front_end.h"
#include "emulator/http/journal.h"
#include "emulator/http/metrics.h"
#include "emulator/http/mns_api.h"
#include "emulator/http/pop_api.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/credentials.h"
#include "emulator/service/queue_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/clock.h"
#include "mns/common/random.h"

namespace mns::emulator {

class Server {
 public:
  // Builds the emulator from `config` and starts serving on its host and
  // port (0: a free port).
  static StatusOr<std::unique_ptr<Server>> Start(EmulatorConfig config);
  ~Server();

  // Ends parked long polls, stops accepting and waits for open requests.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT", or https:// when the port speaks HTTPS.
  std::string address() const;
  // "https://127.0.0.1:TLS_PORT" for the HTTPS port beside a plain one; ""
  // without one.
  std::string tls_address() const;
  // The certificate HTTPS is served with, and the CA file clients should
  // trust ("" with the user's own pair or without HTTPS).
  const TlsIdentity& tls_identity() const { return tls_identity_; }
  const EmulatorConfig& config() const { return config_; }
  SimulatedClock& clock() { return *clock_; }
  QueueService& queues() { return *queues_; }
  AlicomService& alicom() { return *alicom_; }
  TopicService& topics() { return *topics_; }
  FaultRuleSet& faults() { return *faults_; }
  const CredentialStore& credentials() const { return credentials_; }
  RequestJournal& journal() { return *journal_; }

  // Drops every queue, message, topic, delivery, SMS record, fault rule and
  // journal entry; recreates the configured queues and fault rules (POST
  // /_emulator/reset).
  void Reset();

  // Answers one request, with no socket: what the front end calls.
  HttpResponse Route(const HttpRequest& request);
  // Route() when it need not wait; nullopt for a receive that would park.
  std::optional<HttpResponse> RouteWithoutWaiting(const HttpRequest& request);

  // What GET /_emulator/metrics answers: the request metrics, then the
  // gauges read from their owners' counters.
  std::string RenderMetrics();

 private:
  explicit Server(EmulatorConfig config);
  Status CreateConfiguredQueues();
  // A request under way: what it is, when it came, and the fault that
  // fired for it. Kept across RouteWithoutWaiting() and Route() when the
  // request moves to a worker thread, so a rule fires once per request.
  struct InFlight {
    RequestFacts facts;
    TimePoint started;
    std::chrono::steady_clock::time_point started_steady;
    std::optional<FiredFault> fault;
  };
  // Route() and RouteWithoutWaiting(): nullopt only when `may_wait` is false
  // and the request must move to a thread that may block.
  std::optional<HttpResponse> Serve(const HttpRequest& request, bool may_wait);
  // What `request` is; its account too when `with_account`.
  RequestFacts Describe(const HttpRequest& request, bool with_account);
  // The MNS, POP or control API's answer; nullopt as for Serve().
  std::optional<HttpResponse> Dispatch(const HttpRequest& request,
                                       bool may_wait, bool leave_visible);
  // An injected error in the protocol's own shape.
  HttpResponse InjectedError(const RequestFacts& facts, const FaultError& error,
                             const HttpRequest& request);
  // Waits `duration` of real time, or less if the server stops.
  void SleepUnlessStopping(Duration duration);
  // The journal entry, the log line and the rule's hit for a finished
  // request.
  void Record(const HttpRequest& request, InFlight in_flight,
              const HttpResponse& response);
  HttpResponse TransportError(int status, const std::string& message,
                              const HttpRequest& request) const;
  // The headers every answer carries: Date (real time, as the SDKs sign
  // with theirs) and Server.
  void Stamp(HttpResponse& response) const;
  // The fault rules' decision on one topic delivery attempt.
  std::optional<DeliveryFault> DeliveryFaultFor(const DeliveryFacts& facts);

  EmulatorConfig config_;
  // Before the services whose observers feed it, so that it outlives them.
  RequestMetrics metrics_;
  std::unique_ptr<SimulatedClock> clock_;
  SystemClock real_clock_;
  Random random_;       // ids and handles of messages, BizIds
  Random request_ids_;  // RequestId of every MNS and POP answer
  std::unique_ptr<QueueService> queues_;
  CredentialStore credentials_;
  std::unique_ptr<AlicomService> alicom_;
  std::unique_ptr<TopicService> topics_;
  std::unique_ptr<MnsApi> mns_;
  std::unique_ptr<PopApi> pop_;
  std::unique_ptr<ControlApi> control_;
  std::unique_ptr<FaultRuleSet> faults_;
  std::unique_ptr<RequestJournal> journal_;
  TlsIdentity tls_identity_;
  std::unique_ptr<HttpFrontEnd> front_end_;
  // front_end_ for the scrape, on the I/O threads: the first request can be
  // answered before Start() has stored front_end_.
  std::atomic<const HttpFrontEnd*> serving_{nullptr};
  int port_ = 0;

  // Requests moved to a worker thread, by connection id.
  std::mutex in_flight_mutex_;
  std::map<uint64_t, InFlight> in_flight_;
  // Ends delay and stall faults at Stop().
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_SERVER_H_
