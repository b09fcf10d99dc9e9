// Server: one emulator instance on one port. It owns the clock, the queue
// service, the credentials and the APIs, serves them through an HttpFrontEnd,
// and routes every request in Route(). Start() returns once the port is
// bound, so a client may connect at once. Thread-safe.
#ifndef MNS_EMULATOR_HTTP_SERVER_H_
#define MNS_EMULATOR_HTTP_SERVER_H_

#include <memory>
#include <string>

#include "emulator/config.h"
#include "emulator/http/control_api.h"
#include "emulator/http/http_front_end.h"
#include "emulator/http/mns_api.h"
#include "emulator/http/pop_api.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/credentials.h"
#include "emulator/service/queue_service.h"
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
  // "http://127.0.0.1:PORT"
  std::string address() const;
  const EmulatorConfig& config() const { return config_; }
  SimulatedClock& clock() { return *clock_; }
  QueueService& queues() { return *queues_; }
  AlicomService& alicom() { return *alicom_; }

  // Drops every queue, message and SMS record; recreates the configured
  // queues (POST /_emulator/reset).
  void Reset();

  // Answers one request, with no socket: what the front end calls.
  HttpResponse Route(const HttpRequest& request) const;
  // Route() when it need not wait; nullopt for a receive that would park.
  std::optional<HttpResponse> RouteWithoutWaiting(
      const HttpRequest& request) const;

 private:
  explicit Server(EmulatorConfig config);
  Status CreateConfiguredQueues();
  // The one place every route is listed.
  HttpResponse Dispatch(const HttpRequest& request) const;
  HttpResponse TransportError(int status, const std::string& message,
                              const HttpRequest& request) const;

  EmulatorConfig config_;
  std::unique_ptr<SimulatedClock> clock_;
  SystemClock real_clock_;
  Random random_;       // ids and handles of messages, BizIds
  Random request_ids_;  // RequestId of every MNS and POP answer
  std::unique_ptr<QueueService> queues_;
  CredentialStore credentials_;
  std::unique_ptr<AlicomService> alicom_;
  std::unique_ptr<MnsApi> mns_;
  std::unique_ptr<PopApi> pop_;
  std::unique_ptr<ControlApi> control_;
  std::unique_ptr<HttpFrontEnd> front_end_;
  int port_ = 0;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_SERVER_H_
