#include "mns/emulator.h"

#include "emulator/http/server.h"

namespace mns::emulator {

EmulatorConfig EmbeddedConfig() {
  EmulatorConfig config = DefaultConfig();
  config.port = 0;
  config.frozen_clock_ms = 1'700'000'000'000;
  return config;
}

StatusOr<std::unique_ptr<Emulator>> Emulator::Start(
    std::optional<EmulatorConfig> config) {
  MNS_ASSIGN_OR_RETURN(
      std::unique_ptr<Server> server,
      Server::Start(config ? *std::move(config) : EmbeddedConfig()));
  return std::unique_ptr<Emulator>(new Emulator(std::move(server)));
}

Emulator::Emulator(std::unique_ptr<Server> server)
    : server_(std::move(server)) {}

Emulator::~Emulator() { Stop(); }

std::string Emulator::endpoint() const { return server_->address(); }
int Emulator::port() const { return server_->port(); }

const std::string& Emulator::account_id() const {
  return server_->config().accounts.front().id;
}
const std::string& Emulator::uid() const {
  return server_->config().accounts.front().uid;
}
const std::string& Emulator::access_key_id() const {
  return server_->config().accounts.front().access_keys.front().id;
}
const std::string& Emulator::access_key_secret() const {
  return server_->config().accounts.front().access_keys.front().secret;
}

HttpResponse Emulator::Route(const HttpRequest& request) const {
  return server_->Route(request);
}

void Emulator::Reset() { server_->Reset(); }
void Emulator::Stop() { server_->Stop(); }

SimulatedClock& Emulator::clock() { return server_->clock(); }
void Emulator::AdvanceClock(Duration by) {
  server_->clock().Advance(by);
  // Receipts and topic deliveries now due are in their queues when this
  // returns.
  server_->alicom().DeliverDue();
  server_->topics().DeliverDue();
}

std::vector<SmsRecord> Emulator::Outbox(const OutboxFilter& filter) {
  return server_->alicom().Outbox(filter);
}
void Emulator::ClearOutbox() { server_->alicom().ClearOutbox(); }
void Emulator::SetOutcomeRules(std::vector<OutcomeRule> rules) {
  server_->alicom().SetRules(std::move(rules));
}
StatusOr<std::string> Emulator::InjectSmsUp(const SmsUpInjection& reply) {
  return server_->alicom().InjectSmsUp(reply);
}

StatusOr<FaultRule> Emulator::AddFault(std::string_view json_rule) {
  const auto parsed = nlohmann::json::parse(json_rule, nullptr,
                                            /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status(StatusCode::kInvalidArgument, "a fault rule must be JSON");
  }
  MNS_ASSIGN_OR_RETURN(FaultRule rule, ParseFaultRule(parsed));
  return server_->faults().Add(std::move(rule));
}

FaultRuleSet& Emulator::faults() { return server_->faults(); }

std::vector<JournalEntry> Emulator::Requests(const JournalQuery& query) {
  return server_->journal().Query(query);
}

void Emulator::ClearRequests() { server_->journal().Clear(); }

std::vector<Delivery> Emulator::Notifications(const DeliveryFilter& filter) {
  return server_->topics().Deliveries(filter);
}

}  // namespace mns::emulator
