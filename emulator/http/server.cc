#include "emulator/http/server.h"

#include <sys/resource.h>

#include <iostream>
#include <mutex>

#include "emulator/http/http_front_end.h"
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
  MNS_RETURN_IF_ERROR(server->CreateConfiguredQueues());
  server->pop_ = std::make_unique<PopApi>(
      server->alicom_.get(), &server->credentials_, &server->request_ids_,
      &server->real_clock_,
      PopApiOptions{.policy = {.mode = c.auth,
                               .max_clock_skew = c.wire_settings.max_clock_skew,
                               .default_account = c.accounts.front().id,
                               .log = LogLine},
                    .uid_of_account = uid_of_account});

  server->mns_ = std::make_unique<MnsApi>(
      server->queues_.get(), &server->credentials_, &server->request_ids_,
      &server->real_clock_,
      MnsApiOptions{.auth = c.auth,
                    .wire = c.wire_settings,
                    .default_account = c.accounts.front().id,
                    .log = LogLine});
  Server* self = server.get();
  server->control_ = std::make_unique<ControlApi>(
      server->clock_.get(), server->alicom_.get(), [self] { self->Reset(); },
      c.control_token);

  auto front_end = HttpFrontEnd::Start(
      HttpFrontEndOptions{
          .host = c.host,
          .port = c.port,
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
  return server;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (!front_end_) return;
  // Parked long polls and the receipt thread end first, so that the front
  // end's handlers can return.
  queues_->Shutdown();
  alicom_->Shutdown();
  front_end_->Stop();
}

std::string Server::address() const {
  return "http://" + config_.host + ":" + std::to_string(port_);
}

HttpResponse Server::Route(const HttpRequest& request) const {
  HttpResponse response = Dispatch(request);
  response.SetHeader("Date", FormatHttpDate(real_clock_.Now()));
  return response;
}

std::optional<HttpResponse> Server::RouteWithoutWaiting(
    const HttpRequest& request) const {
  // Only an MNS receive can wait; everything else answers in microseconds.
  const bool receive = request.method == "GET" &&
                       request.path().starts_with("/queues/") &&
                       request.path().ends_with("/messages");
  if (!receive) return Route(request);
  std::optional<HttpResponse> response = mns_->HandleWithoutWaiting(request);
  if (response) response->SetHeader("Date", FormatHttpDate(real_clock_.Now()));
  return response;
}

HttpResponse Server::Dispatch(const HttpRequest& request) const {
  if (request.path().starts_with("/_emulator/")) {
    return control_->Handle(request);
  }
  if (!request.path().starts_with("/queues") && PopApi::IsPopRequest(request)) {
    return pop_->Handle(request);
  }
  // /queues and everything else: MNS answers InvalidRequestURL for paths it
  // does not know.
  return mns_->Handle(request);
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
  response.SetHeader("Date", FormatHttpDate(real_clock_.Now()));
  return response;
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
  // The configured queues were valid at start, so this cannot fail now.
  (void)CreateConfiguredQueues();
}

}  // namespace mns::emulator
