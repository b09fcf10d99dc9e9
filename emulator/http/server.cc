#include "emulator/http/server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cstdlib>
#include <iostream>
#include <mutex>

#include "client/common/time_format.h"
#include "emulator/http/worker_pool.h"

namespace mns::emulator {
namespace {

// MNS paths are at most "/queues/<256 chars>/messages". Longer ones are
// refused before cpp-httplib's std::regex route match, whose recursion depth
// grows with the path.
constexpr size_t kMaxPathLength = 1024;

// How long Stop() lets open requests finish before closing connections.
constexpr std::chrono::milliseconds kStopGrace{500};

void LogLine(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  std::cerr << "mns-emulator: " << line << std::endl;
}

HttpRequest FromHttplib(const httplib::Request& req) {
  HttpRequest out{.method = req.method, .target = req.target, .body = req.body};
  for (const auto& [name, value] : req.headers)
    out.headers.emplace_back(name, value);
  return out;
}

void ToHttplib(const HttpResponse& in, httplib::Response& res) {
  res.status = in.status;
  for (const auto& [name, value] : in.headers) res.set_header(name, value);
  res.body = in.body;
}

// cpp-httplib 0.11 waits out an idle keep-alive connection's timeout before
// it notices stop(), and offers no hook on accepted sockets. So Stop(), once
// in-flight responses have had their grace period, finds this process's
// connected sockets on the server's port and shuts their read side, which
// ends each idle connection at once. (It cannot do so earlier: httplib
// refuses to write to a socket whose read side reports end-of-file.)
void ShutdownAcceptedSockets(int port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return;
  while (dirent* entry = readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || fd == dirfd(dir)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof(local), peer_len = sizeof(peer);
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local),
                    &local_len) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer),
                    &peer_len) != 0) {
      continue;
    }
    int local_port =
        local.ss_family == AF_INET6
            ? ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port)
            : ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
    if (local_port == port) shutdown(static_cast<int>(fd), SHUT_RD);
  }
  closedir(dir);
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
      random_(config_.seed) {}

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
      server->alicom_.get(), &server->credentials_, &server->random_,
      &server->real_clock_,
      PopApiOptions{.auth = c.auth,
                    .max_clock_skew = c.wire_settings.max_clock_skew,
                    .uid_of_account = uid_of_account,
                    .default_account = c.accounts.front().id,
                    .log = LogLine});

  server->mns_ = std::make_unique<MnsApi>(
      server->queues_.get(), &server->credentials_, &server->random_,
      &server->real_clock_,
      MnsApiOptions{.auth = c.auth,
                    .wire = c.wire_settings,
                    .default_account = c.accounts.front().id,
                    .log = LogLine});
  Server* self = server.get();
  server->control_ = std::make_unique<ControlApi>(
      server->clock_.get(), server->alicom_.get(), [self] { self->Reset(); });

  auto http = std::make_unique<httplib::Server>();
  const size_t max_threads = c.max_connection_threads;
  http->new_task_queue = [max_threads] {
    return new WorkerPool({.max_threads = max_threads});
  };
  // Without TCP_NODELAY every keep-alive response waits ~40 ms for Nagle.
  http->set_tcp_nodelay(true);
  http->set_keep_alive_max_count(std::numeric_limits<int>::max());
  http->set_keep_alive_timeout(c.keep_alive_seconds);
  // A slow or stalled client holds one worker for at most this long per read.
  http->set_read_timeout(5, 0);
  http->set_write_timeout(5, 0);
  http->set_payload_max_length(c.max_request_bytes);

  http->set_pre_routing_handler(
      [self](const httplib::Request& req, httplib::Response& res) {
        if (req.path.size() <= kMaxPathLength) {
          return httplib::Server::HandlerResponse::Unhandled;
        }
        ToHttplib(
            self->mns_->ErrorResponse(
                Status(StatusCode::kInvalidArgument,
                       "Http request URL format invalid.", "InvalidRequestURL"),
                FromHttplib(req)),
            res);
        return httplib::Server::HandlerResponse::Handled;
      });
  auto handler = [self](const httplib::Request& req, httplib::Response& res) {
    ToHttplib(self->Route(FromHttplib(req)), res);
  };
  http->Get(".*", handler);
  http->Post(".*", handler);
  http->Put(".*", handler);
  http->Delete(".*", handler);
  http->Patch(".*", handler);
  http->Options(".*", handler);
  // Errors cpp-httplib finds itself (a body over the cap, a bad request
  // line) still get an MNS <Error> body.
  http->set_error_handler(httplib::Server::HandlerWithResponse(
      [self](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty())
          return httplib::Server::HandlerResponse::Unhandled;
        const int status = res.status;
        std::string message =
            status == 413
                ? "The request body is larger than " +
                      std::to_string(self->config_.max_request_bytes) +
                      " bytes."
                : "The request could not be read: HTTP " +
                      std::to_string(status) + ".";
        ToHttplib(self->mns_->ErrorResponse(Status(StatusCode::kInvalidArgument,
                                                   message, "InvalidArgument"),
                                            FromHttplib(req)),
                  res);
        res.status = status;
        return httplib::Server::HandlerResponse::Handled;
      }));
  http->set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        res.status = 500;
        res.set_content(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error "
            "xmlns=\"http://mns.aliyuncs.com/doc/v1\"><Code>InternalError</"
            "Code><Message>Interal error.</Message><RequestId>0</"
            "RequestId><HostId>localhost</HostId></Error>",
            "text/xml;charset=utf-8");
      });
  http->set_post_routing_handler(
      [self](const httplib::Request&, httplib::Response& res) {
        res.set_header("Date", FormatHttpDate(self->real_clock_.Now()));
      });

  // cpp-httplib 0.11 listens with a backlog of 5, compiled in: a burst of
  // connections (a thousand consumers starting their long polls) overflows
  // it and waits for SYN retransmits, seconds each. Linux lets listen() be
  // called again to raise the backlog, so keep the socket to do that.
  int listen_fd = -1;
  http->set_socket_options([&listen_fd](int fd) {
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd = fd;
  });
  int port = c.port == 0 ? http->bind_to_any_port(c.host)
                         : (http->bind_to_port(c.host, c.port) ? c.port : -1);
  if (port <= 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot listen on " + c.host + ":" + std::to_string(c.port));
  }
  if (listen_fd >= 0) listen(listen_fd, SOMAXCONN);
  server->port_ = port;
  server->http_ = std::move(http);
  server->listener_ = std::thread([self] {
    self->http_->listen_after_bind();
    self->listener_done_.set_value();
  });
  // httplib's stop() does nothing until the accept loop runs; wait for it so
  // that a Stop() right after Start() cannot be lost. It starts at once.
  while (!server->http_->is_running()) std::this_thread::yield();
  return server;
}

Server::~Server() { Stop(); }

void Server::Stop() {
  if (!http_) return;
  queues_->Shutdown();
  alicom_->Shutdown();
  http_->stop();
  // Woken long polls answer within microseconds; connections still open
  // after the grace period are idle keep-alives.
  if (listener_done_.get_future().wait_for(kStopGrace) !=
      std::future_status::ready) {
    ShutdownAcceptedSockets(port_);
  }
  if (listener_.joinable()) listener_.join();
  http_.reset();
}

std::string Server::address() const {
  return "http://" + config_.host + ":" + std::to_string(port_);
}

HttpResponse Server::Route(const HttpRequest& request) const {
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
