// Emulator: the MNS and Alicom emulator, embedded in a C++ program or test.
//
//   auto emulator = mns::emulator::Emulator::Start().value();
//   mns::ClientOptions options{.endpoint = emulator->endpoint(),
//                              .credentials = emulator->credentials()};
//   ... // use the queues; then, in C++ rather than over HTTP:
//   emulator->AdvanceClock(std::chrono::hours(1));
//   emulator->Reset();
//
// It listens on loopback (port 0: a free one unless the config says
// otherwise) and serves the same wire protocols as the mns-emulator binary;
// the control operations that binary offers under /_emulator/ are C++ calls
// here. Route() answers one request with no socket at all.
//
// Thread-safe. Stop() (also the destructor) ends parked long polls and the
// receipt thread first, then stops serving, in that order, so that no
// request handler is left blocked.
#ifndef MNS_EMULATOR_INCLUDE_MNS_EMULATOR_H_
#define MNS_EMULATOR_INCLUDE_MNS_EMULATOR_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "emulator/config.h"
#include "emulator/core/sms.h"
#include "emulator/http/faults.h"
#include "emulator/http/journal.h"
#include "emulator/http/wire.h"
#include "emulator/service/alicom_service.h"
#include "emulator/service/topic_service.h"
#include "mns/common/clock.h"
#include "mns/common/status.h"

namespace mns::emulator {

class Server;

class Emulator {
 public:
  // Starts with `config`; by default the built-in configuration on
  // 127.0.0.1, a free port, the clock frozen at 2023-11-14T22:13:20Z.
  static StatusOr<std::unique_ptr<Emulator>> Start(
      std::optional<EmulatorConfig> config = std::nullopt);
  ~Emulator();

  // "http://127.0.0.1:PORT": both the MNS and the POP endpoint.
  std::string endpoint() const;
  int port() const;
  // The first account's id, its Alicom uid and its first key pair.
  const std::string& account_id() const;
  const std::string& uid() const;
  const std::string& access_key_id() const;
  const std::string& access_key_secret() const;

  // Answers one request with no socket, as the HTTP front end does.
  HttpResponse Route(const HttpRequest& request) const;

  // Drops every queue, topic, message, delivery, SMS record, account
  // attribute, fault rule and journal entry; recreates the configured queues
  // and fault rules.
  void Reset();
  void Stop();

  // The controls.
  SimulatedClock& clock();
  // Moves the clock forward; receipts and topic deliveries to queues due by
  // then are in their queues when it returns.
  void AdvanceClock(Duration by);
  std::vector<SmsRecord> Outbox(const OutboxFilter& filter = {});
  void ClearOutbox();
  void SetOutcomeRules(std::vector<OutcomeRule> rules);
  // Enqueues an SmsUp reply; returns the queue it went to.
  StatusOr<std::string> InjectSmsUp(const SmsUpInjection& reply);

  // Fault rules (README "Testing failure paths"): `json_rule` is what
  // POST /_emulator/faults takes, e.g.
  // R"({"operation":"ReceiveMessage","times":2,"error":"ServiceUnavailable"})".
  StatusOr<FaultRule> AddFault(std::string_view json_rule);
  FaultRuleSet& faults();
  // The request journal, oldest first.
  std::vector<JournalEntry> Requests(const JournalQuery& query = {});
  void ClearRequests();
  // Topic deliveries and their attempts (README "Topics"), oldest first.
  std::vector<Delivery> Notifications(const DeliveryFilter& filter = {});

 private:
  explicit Emulator(std::unique_ptr<Server> server);
  std::unique_ptr<Server> server_;
};

// The configuration Emulator::Start() uses when given none.
EmulatorConfig EmbeddedConfig();

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_INCLUDE_MNS_EMULATOR_H_
