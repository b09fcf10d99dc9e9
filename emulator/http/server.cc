#include "emulator/http/server.h"

#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <mutex>

#include "emulator/http/http_front_end.h"
#include "emulator/http/pop_errors.h"
#include "emulator/http/version.h"
#include "mns/common/time_format.h"

namespace mns::emulator {
namespace {

void LogLine(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::cerr << "mns-emulator: " << line << std::endl;
}

// Each parked long poll holds a connection; the common default soft limit of
// 1,024 descriptors is below a thousand of them plus everyone else.
void RaiseFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

Server::Server(EmulatorConfig config)
    : config_(std::move(config)),
      clock_(config_.frozen_clock_ms
                 ? std::make_unique<SimulatedClock>(
                       FromUnixMillis(*config_.frozen_clock_ms))
                 : SimulatedClock::Running()),
      random_(config_.seed),
      // A stream of its own, so that a seeded run's message ids and receipt
      // handles do not depend on how many requests came before (each one,
      // failed or not, draws a request id).
      request_ids_(config_.seed ? std::optional<uint64_t>(*config_.seed ^
                                                          0x9E3779B97F4A7C15ULL)
                                : std::nullopt) {}

StatusOr<std::unique_ptr<Server>> Server::Start(EmulatorConfig config) {
  RaiseFileLimit();
  std::unique_ptr<Server> server(new Server(std::move(config)));
  const EmulatorConfig& c = server->config_;
  server->queues_ = std::make_unique<QueueService>(
      server->clock_.get(), &server->random_, c.queue_settings);
  for (const AccountConfig& account : c.accounts) {
    server->queues_->AddAccount(account.id);
    for (const AccessKeyConfig& key : account.access_keys) {
      server->credentials_.Add(account.id, key.id, key.secret);
    }
  }
  server->alicom_ = std::make_unique<AlicomService>(
      server->queues_.get(), &server->credentials_, server->clock_.get(),
      &server->random_, c.alicom);
  std::map<std::string, std::string> uid_of_account;
  for (const AccountConfig& account : c.accounts) {
    server->alicom_->AddAccount(account.uid);
    uid_of_account[account.id] = account.uid;
  }
  server->topics_ = std::make_unique<TopicService>(
      server->queues_.get(), server->alicom_.get(), server->clock_.get(),
      &server->random_, MakeHttpNotifier(c.topics.verify_https), [&] {
        TopicSettings settings = c.topics;
        // A stream of its own, as for the fault rules.
        if (c.seed) settings.seed = *c.seed ^ 0xA0761D6478BD642FULL;
        return settings;
      }());
  for (const AccountConfig& account : c.accounts) {
    server->topics_->AddAccount(account.id, account.uid);
  }
  MNS_RETURN_IF_ERROR(server->CreateConfiguredQueues());
  // The fault rules draw from a stream of their own, so that adding a
  // probabilistic rule does not change a seeded run's ids and handles.
  server->faults_ = std::make_unique<FaultRuleSet>(
      c.seed ? std::optional<uint64_t>(*c.seed ^ 0xD1B54A32D192ED03ULL)
             : std::nullopt);
  for (const FaultRule& rule : c.faults) server->faults_->Add(rule);
  server->journal_ = std::make_unique<RequestJournal>(c.journal_capacity);
  server->pop_ = std::make_unique<PopApi>(
      server->alicom_.get(), &server->credentials_, &server->request_ids_,
      &server->real_clock_,
      PopApiOptions{.policy = {.mode = c.auth,
                               .max_clock_skew = c.wire_settings.max_clock_skew,
                               .default_account = c.accounts.front().id,
                               .log = LogLine},
                    .uid_of_account = uid_of_account});

  server->mns_ = std::make_unique<MnsApi>(
      server->queues_.get(), server->topics_.get(), &server->credentials_,
      &server->request_ids_, &server->real_clock_,
      MnsApiOptions{.auth = c.auth,
                    .wire = c.wire_settings,
                    .default_account = c.accounts.front().id,
                    .log = LogLine,
                    .log_string_to_sign = c.log_debug});
  Server* self = server.get();
  server->topics_->SetFaultHook([self](const DeliveryFacts& facts) {
    return self->DeliveryFaultFor(facts);
  });
  server->control_ = std::make_unique<ControlApi>(
      server->clock_.get(), server->alicom_.get(), server->topics_.get(),
      server->faults_.get(), server->journal_.get(), [self] { self->Reset(); },
      c.control_token, [self] { return self->RenderMetrics(); });
  server->queues_->SetWakeObserver([self](std::chrono::nanoseconds latency) {
    self->metrics_.RecordWake(latency);
  });

  if (c.tls.serves_https()) {
    MNS_ASSIGN_OR_RETURN(
        server->tls_identity_,
        LoadOrCreateTlsIdentity(c.tls.identity, server->real_clock_.Now()));
  }
  auto front_end = HttpFrontEnd::Start(
      HttpFrontEndOptions{
          .host = c.host,
          .port = c.port,
          .port_tls = c.tls.enabled,
          .tls_port = c.tls.port.value_or(-1),
          .tls_identity = server->tls_identity_.server,
          .max_body_bytes = c.max_request_bytes,
          .max_header_bytes = c.max_header_bytes,
          .max_header_count = c.max_header_count,
          .request_deadline = std::chrono::milliseconds(c.request_deadline_ms),
          .keep_alive = std::chrono::seconds(c.keep_alive_seconds),
          .max_connections = c.max_connections,
          .max_handler_threads = c.max_connection_threads,
          .answer_now =
              [self](const HttpRequest& request) {
                return self->RouteWithoutWaiting(request);
              },
      },
      [self](const HttpRequest& request) { return self->Route(request); },
      [self](int status, const std::string& message,
             const HttpRequest& request) {
        return self->TransportError(status, message, request);
      });
  if (!front_end.ok()) return front_end.status();
  server->front_end_ = std::move(front_end).value();
  server->port_ = server->front_end_->port();
  server->serving_ = server->front_end_.get();
  server->topics_->SetCertificateUrl(
      c.signing_cert_url.empty()
          ? server->address() + "/_emulator/notifications/certificate.pem"
          : c.signing_cert_url);
  return server;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (!front_end_) return;
  // Parked long polls, delays and stalls, and the receipt thread end first,
  // so that the front end's handlers can return.
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  queues_->Shutdown();
  alicom_->Shutdown();
  topics_->Shutdown();
  front_end_->Stop();
}

std::string Server::address() const {
  return (config_.tls.enabled ? "https://" : "http://") + config_.host + ":" +
         std::to_string(port_);
}

std::string Server::tls_address() const {
  if (!front_end_ || front_end_->tls_port() < 0) return "";
  return "https://" + config_.host + ":" +
         std::to_string(front_end_->tls_port());
}

std::string Server::RenderMetrics() {
  PrometheusText out;
  metrics_.Write(out);
  auto gauge = [&](const char* name, const char* type, const char* help,
                   double value) {
    out.Family(name, type, help);
    out.Sample(name, {}, value);
  };
  gauge("mns_emulator_parked_receives", "gauge",
        "Receives parked in a long poll now.",
        static_cast<double>(queues_->ParkedReceives()));
  const HttpFrontEnd* serving = serving_.load();
  gauge("mns_emulator_open_connections", "gauge",
        "Client connections open now, on every port.",
        static_cast<double>(serving ? serving->open_connections() : 0));

  out.Family("mns_emulator_messages", "gauge",
             "Messages by account, queue and state (Active: receivable now; "
             "Inactive: received and invisible; Delayed: not yet visible).");
  for (const QueueService::QueueGauge& queue : queues_->AllQueueCounts()) {
    for (const auto& [state, count] :
         {std::pair{"Active", queue.counts.active},
          std::pair{"Inactive", queue.counts.inactive},
          std::pair{"Delayed", queue.counts.delayed}}) {
      out.Sample("mns_emulator_messages",
                 {{"account", queue.account},
                  {"queue", queue.queue},
                  {"state", state}},
                 static_cast<double>(count));
    }
  }

  const AlicomService::ReceiptCounts receipts = alicom_->Receipts();
  gauge("mns_emulator_receipts_scheduled_total", "counter",
        "SMS receipts (SmsReport) scheduled for a queue, by SendSms and the "
        "outcome rules.",
        static_cast<double>(receipts.scheduled));
  gauge("mns_emulator_receipts_delivered_total", "counter",
        "SMS receipts delivered into their queue.",
        static_cast<double>(receipts.delivered));
  gauge("mns_emulator_receipts_pending", "gauge",
        "SMS receipts scheduled and not yet due.",
        static_cast<double>(receipts.pending));

  const CredentialStore::TokenCounts tokens =
      credentials_.Tokens(clock_->Now());
  gauge("mns_emulator_tokens_issued_total", "counter",
        "Temporary tokens issued by QueryTokenForMnsQueue.",
        static_cast<double>(tokens.issued));
  // A gauge: moving the emulator's clock back un-expires tokens.
  gauge("mns_emulator_tokens_expired", "gauge",
        "Of the tokens issued, those past their ExpireTime on the emulator's "
        "clock now.",
        static_cast<double>(tokens.expired));

  out.Family("mns_emulator_fault_rule_fired_total", "counter",
             "Times each fault rule in force fired, by rule id and action.");
  for (const FaultRule& rule : faults_->List()) {
    out.Sample("mns_emulator_fault_rule_fired_total",
               {{"rule", std::to_string(rule.id)},
                {"action", FaultActionName(rule.action)}},
               static_cast<double>(rule.fired));
  }
  return out.text();
}

HttpResponse Server::Route(const HttpRequest& request) {
  return *Serve(request, /*may_wait=*/true);
}

std::optional<HttpResponse> Server::RouteWithoutWaiting(
    const HttpRequest& request) {
  return Serve(request, /*may_wait=*/false);
}

RequestFacts Server::Describe(const HttpRequest& request, bool with_account) {
  if (request.path().starts_with("/_emulator/")) return {.protocol = "control"};
  RequestFacts facts =
      !request.path().starts_with("/queues") && PopApi::IsPopRequest(request)
          ? PopApi::Describe(request)
          : MnsApi::Describe(request);
  if (!with_account) return facts;
  if (auto principal = credentials_.Lookup(facts.access_key_id);
      principal.ok()) {
    facts.account = principal->account_id;
    facts.temporary_key = principal->temporary();
  } else if (config_.auth == AuthMode::kOff) {
    facts.account = config_.accounts.front().id;
  }
  return facts;
}

std::optional<HttpResponse> Server::Serve(const HttpRequest& request,
                                          bool may_wait) {
  if (request.path().starts_with("/_emulator/")) {
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response = control_->Handle(request);
    Stamp(response);
    metrics_.RecordRequest(
        "control", std::string(ControlApi::OperationOf(request)),
        response.status, "", std::chrono::steady_clock::now() - started);
    return response;
  }
  // A request the front end moved to a worker carries on where it stopped.
  std::optional<InFlight> resumed;
  if (may_wait && request.connection_id != 0) {
    std::lock_guard<std::mutex> lock(in_flight_mutex_);
    if (auto it = in_flight_.find(request.connection_id);
        it != in_flight_.end()) {
      resumed = std::move(it->second);
      in_flight_.erase(it);
    }
  }
  InFlight in_flight;
  if (resumed) {
    in_flight = std::move(*resumed);
  } else {
    in_flight.started = real_clock_.Now();
    in_flight.started_steady = std::chrono::steady_clock::now();
    // The metrics need the operation; only the fault rules, the journal and
    // the log need the account, which costs a look-up in the key store.
    const bool rules = !faults_->empty();
    in_flight.facts = Describe(
        request, rules || journal_->capacity() > 0 || config_.log_requests);
    if (rules) in_flight.fault = faults_->Fire(in_flight.facts);
  }
  auto defer = [&]() -> std::optional<HttpResponse> {
    std::lock_guard<std::mutex> lock(in_flight_mutex_);
    in_flight_[request.connection_id] = in_flight;
    return std::nullopt;
  };

  const std::optional<FiredFault>& fault = in_flight.fault;
  const FaultAction action = fault ? fault->action : FaultAction::kError;
  std::optional<HttpResponse> response;
  if (!fault) {
    response = Dispatch(request, may_wait, /*leave_visible=*/false);
  } else if (action == FaultAction::kError) {
    response = InjectedError(in_flight.facts, fault->error, request);
  } else if (action == FaultAction::kDrop || action == FaultAction::kStall) {
    if (action == FaultAction::kStall) {
      if (!may_wait) return defer();
      SleepUnlessStopping(
          std::chrono::milliseconds(config_.fault_stall_cap_ms));
    }
    // The request is not carried out: as if it never arrived.
    response = HttpResponse{.delivery = HttpResponse::Delivery::kClose};
    response->SetHeader("x-mns-request-id", request_ids_.UpperHex(24));
  } else {
    if (action == FaultAction::kDelay) {
      if (!may_wait) return defer();
      SleepUnlessStopping(std::chrono::milliseconds(fault->delay_ms));
    }
    if (action == FaultAction::kExpireToken) {
      credentials_.ExpireTemporary(in_flight.facts.access_key_id,
                                   clock_->Now());
    }
    response = Dispatch(request, may_wait,
                        /*leave_visible=*/action == FaultAction::kDuplicate);
    if (response && action == FaultAction::kDropAfterCommit) {
      response->delivery = HttpResponse::Delivery::kClose;
    } else if (response && action == FaultAction::kTruncate) {
      response->delivery = HttpResponse::Delivery::kTruncate;
    }
  }
  if (!response) return defer();  // a receive that will wait
  Stamp(*response);
  Record(request, std::move(in_flight), *response);
  return response;
}

std::optional<HttpResponse> Server::Dispatch(const HttpRequest& request,
                                             bool may_wait,
                                             bool leave_visible) {
  if (!request.path().starts_with("/queues") && PopApi::IsPopRequest(request)) {
    return pop_->Handle(request);
  }
  // /queues and everything else: MNS answers InvalidRequestURL for paths it
  // does not know.
  if (may_wait) return mns_->Handle(request, leave_visible);
  return mns_->HandleWithoutWaiting(request, leave_visible);
}

HttpResponse Server::InjectedError(const RequestFacts& facts,
                                   const FaultError& error,
                                   const HttpRequest& request) {
  if (facts.protocol == "pop") {
    const int status = error.http_status ? error.http_status
                                         : PopError(error.code).http_status;
    return pop_->TransportError(status, error.code, error.message, request);
  }
  HttpResponse response = mns_->ErrorResponse(
      Status(StatusCode::kUnavailable, error.message, error.code), request);
  if (error.http_status != 0) response.status = error.http_status;
  return response;
}

void Server::SleepUnlessStopping(Duration duration) {
  std::unique_lock<std::mutex> lock(stop_mutex_);
  const TimePoint deadline = SaturatingAdd(real_clock_.Now(), duration);
  while (!stopping_ && real_clock_.Now() < deadline) {
    real_clock_.WaitUntil(lock, stop_cv_, deadline);
  }
}

void Server::Record(const HttpRequest& request, InFlight in_flight,
                    const HttpResponse& response) {
  // Only what the emulator serves names a series: a client sending
  // Action=<anything> or a path nobody serves must not add series without
  // end.
  const std::string& operation = in_flight.facts.operation;
  const bool served = in_flight.facts.protocol == "pop"
                          ? PopApi::Serves(operation)
                          : !operation.empty();
  metrics_.RecordRequest(
      in_flight.facts.protocol, served ? operation : "unknown", response.status,
      response.error_code,
      std::chrono::steady_clock::now() - in_flight.started_steady);
  if (!in_flight.fault && journal_->capacity() == 0 && !config_.log_requests) {
    return;
  }
  std::string request_id;
  for (const auto& [name, value] : response.headers) {
    if (name == "x-mns-request-id" || name == "x-acs-request-id") {
      request_id = value;
    }
  }
  const TimePoint now = real_clock_.Now();
  const double latency_ms =
      std::chrono::duration<double, std::milli>(now - in_flight.started)
          .count();
  const RequestFacts& facts = in_flight.facts;
  if (in_flight.fault) {
    faults_->RecordHit(
        in_flight.fault->rule_id,
        {.request_id = request_id, .time = now, .operation = facts.operation});
  }
  if (config_.log_requests) {
    char ms[32];
    // Whole milliseconds: the resolution of the emulator's clocks.
    std::snprintf(ms, sizeof ms, "%.0f", latency_ms);
    LogLine(FormatIso8601(now) + " " +
            (facts.operation.empty() ? "-" : facts.operation) + " " +
            (facts.queue.empty() ? "-" : facts.queue) + " " +
            std::to_string(response.status) + " " +
            (response.error_code.empty() ? "-" : response.error_code) + " " +
            ms + "ms " + (request_id.empty() ? "-" : request_id));
  }
  if (journal_->capacity() == 0) return;
  JournalEntry entry{
      .real_time = now,
      .emulator_time = clock_->Now(),
      .facts = std::move(in_flight.facts),
      .status = response.status,
      .error_code = response.error_code,
      .request_id = request_id,
      .latency_ms = latency_ms,
      .bytes_in = request.body.size(),
      .bytes_out = response.body.size(),
      .connection_id = request.connection_id,
  };
  if (in_flight.fault) {
    entry.fault_rule = in_flight.fault->rule_id;
    entry.fault_action = FaultActionName(in_flight.fault->action);
  }
  // Bodies only when asked for, and only queue messages: never a POP body
  // (QueryTokenForMnsQueue's carries an AccessKeySecret).
  if (config_.journal_bodies && entry.facts.protocol == "mns") {
    const std::string& op = entry.facts.operation;
    if (op == "SendMessage" || op == "BatchSendMessage") {
      entry.request_body = request.body;
    } else if (op.ends_with("ReceiveMessage") || op.ends_with("PeekMessage")) {
      entry.response_body = response.body;
    }
  }
  journal_->Add(std::move(entry));
}

// The front end found the request unreadable or too large, or a handler
// threw. Each protocol answers in its own error shape. UNCONFIRMED: the
// cloud's codes for transport errors; InvalidArgument (MNS, spec mns §6.2)
// and InvalidParameter (POP) are their codes for a request they refuse.
HttpResponse Server::TransportError(int status, const std::string& message,
                                    const HttpRequest& request) const {
  // Deliberately "Interal": the cloud's own spelling (spec mns §6.2).
  const bool internal = status >= 500 && status != 503;
  const std::string text = internal ? "Interal error." : message;
  HttpResponse response;
  if (request.path().starts_with("/_emulator/")) {
    response = control_->ErrorResponse(status, text);
  } else if (PopApi::IsPopRequest(request)) {
    response = pop_->TransportError(status,
                                    internal        ? "InternalError"
                                    : status == 503 ? "ServiceUnavailable"
                                                    : "InvalidParameter",
                                    text, request);
  } else {
    response = mns_->ErrorResponse(Status(StatusCode::kInvalidArgument, text,
                                          internal        ? "InternalError"
                                          : status == 503 ? "ServiceUnavailable"
                                                          : "InvalidArgument"),
                                   request);
    response.status = status;
  }
  Stamp(response);
  return response;
}

void Server::Stamp(HttpResponse& response) const {
  response.SetHeader("Date", FormatHttpDate(real_clock_.Now()));
  response.SetHeader("Server", ServerHeaderValue());
}

std::optional<DeliveryFault> Server::DeliveryFaultFor(
    const DeliveryFacts& delivery) {
  if (faults_->empty()) return std::nullopt;
  const RequestFacts facts{.protocol = "notification",
                           .operation = "Notify",
                           .queue = delivery.queue,
                           .topic = delivery.topic,
                           .endpoint = delivery.endpoint,
                           .account = delivery.account};
  auto fired = faults_->Fire(facts);
  if (!fired) return std::nullopt;
  faults_->RecordHit(
      fired->rule_id,
      {.request_id = "delivery-" + std::to_string(delivery.delivery_id),
       .time = real_clock_.Now(),
       .operation = "Notify"});
  return DeliveryFault{.reason = fired->action == FaultAction::kError
                                     ? fired->error.code
                                     : FaultActionName(fired->action)};
}

Status Server::CreateConfiguredQueues() {
  for (const QueueConfig& q : config_.queues) {
    const std::string& account =
        q.account.empty() ? config_.accounts.front().id : q.account;
    auto created = queues_->CreateQueue(account, q.name, q.attributes);
    if (!created.ok()) {
      return Status(
          StatusCode::kInvalidArgument,
          "config queue " + q.name + ": " + created.status().message());
    }
  }
  return OkStatus();
}

void Server::Reset() {
  queues_->Reset();
  alicom_->Reset();
  topics_->Reset();
  faults_->Clear();
  for (const FaultRule& rule : config_.faults) faults_->Add(rule);
  journal_->Clear();
  // The configured queues were valid at start, so this cannot fail now.
  (void)CreateConfiguredQueues();
}

}  // namespace mns::emulator
