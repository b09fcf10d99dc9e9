// HTTP benchmarks: the emulator in-process on loopback, keep-alive, signature
// checking on (auth strict), driven by signed clients on their own threads.
//
//   http_bench [client_threads=2] [seconds_per_run=3]
//              [only=send|receive|faults|metrics]
//
// With a third argument it runs only that request against the emulator, for
// a profiler.
//
// Prints:
//   1. SendMessage and ReceiveMessage requests/s, next to the same signed
//      requests against a minimal cpp-httplib server that only answers 200;
//   2. long-poll wake-up latency, from a SendMessage to the parked receive's
//      reply (p50, p99);
//   3. the 1,000-parked-polls check: SendMessage and GetQueueAttributes
//      latency on another connection with and without 1,000 long polls
//      parked on one queue, and what the parked polls cost in memory;
//   4. 5,000 slow connections, each trickling a request a byte every 2 s:
//      latency on another connection meanwhile, and how many the request
//      deadline has cut off after 12 s;
//   5. signed POP requests: p50/p99 of the first and the last 1,000 of
//      6,000 (the nonce store must not slow the hot path as it grows);
//   6. fault rules and the journal (alone: only=faults);
//   7. a metrics scrape with 1,000,000 messages in a queue (alone:
//      only=metrics).
// Figures are recorded in docs/benchmarks.md.
#include <arpa/inet.h>
#include <httplib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"
#include "emulator/testing/pop_test_client.h"

namespace mns::emulator {
namespace {

using testutil::MnsTestClient;
using testutil::Reply;
using Steady = std::chrono::steady_clock;

constexpr char kAccount[] = "1234567890123456";
const std::string kSendBody = "<Message><MessageBody>" + std::string(256, 'b') +
                              "</MessageBody></Message>";

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

struct Summary {
  double p50, p99, max;
};

Summary Summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[std::min(samples.size() - 1,
                            static_cast<size_t>(q * samples.size()))];
  };
  return {at(0.50), at(0.99), samples.back()};
}

std::string ProcStatus(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      return line.substr(line.find_first_not_of(" \t", key.size() + 1));
    }
  }
  return "?";
}

// Runs `op` on `threads` clients for `seconds`; returns requests per second.
// Every reply must have status `expect`.
double Throughput(int port, int threads, int seconds, int expect,
                  const std::function<Reply(MnsTestClient&)>& op) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0}, wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      MnsTestClient client(port);
      int64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (op(client).status != expect) wrong.fetch_add(1);
        ++n;
      }
      done.fetch_add(n);
    });
  }
  const auto start = Steady::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  const double elapsed = Ms(Steady::now() - start) / 1000;
  if (wrong > 0)
    std::printf("  (!) %lld replies had an unexpected status\n",
                static_cast<long long>(wrong.load()));
  return done / elapsed;
}

std::unique_ptr<Server> StartEmulator(
    const std::function<void(EmulatorConfig&)>& adjust = {}) {
  EmulatorConfig config = DefaultConfig();
  config.port = 0;
  config.queues = {
      {.name = "send", .attributes = {.message_retention_period = 604800}},
      {.name = "receive",
       .attributes = {.message_retention_period = 604800,
                      .visibility_timeout = 43200}},
      {.name = "wake"},
      {.name = "parked", .attributes = {.visibility_timeout = 43200}},
      {.name = "other"}};
  if (adjust) adjust(config);
  auto server = Server::Start(config);
  if (!server.ok()) {
    std::fprintf(stderr, "cannot start: %s\n",
                 server.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(server).value();
}

double ProfileOne(Server& server, const std::string& only, int threads,
                  int seconds) {
  if (only == "send") {
    return Throughput(
        server.port(), threads, seconds, 201, [](MnsTestClient& c) {
          return c.Call("POST", "/queues/send/messages", kSendBody);
        });
  }
  // Enough messages for every receive of the run.
  std::vector<SendRequest> batch(16,
                                 SendRequest{.body = std::string(256, 'r')});
  for (int i = 0; i < 10'000 * seconds; ++i) {
    (void)server.queues().BatchSendMessage(kAccount, "receive", batch);
  }
  return Throughput(server.port(), threads, seconds, 200, [](MnsTestClient& c) {
    return c.Call("GET", "/queues/receive/messages");
  });
}

void ThroughputSection(Server& server, int threads, int seconds) {
  // A minimal cpp-httplib server: the same library and socket settings,
  // no routing, parsing, signature or queue work.
  httplib::Server minimal;
  minimal.set_tcp_nodelay(true);
  minimal.set_keep_alive_max_count(std::numeric_limits<int>::max());
  auto ok = [](const httplib::Request&, httplib::Response& res) {
    res.status = 200;
  };
  minimal.Get(".*", ok);
  minimal.Post(".*", ok);
  const int minimal_port = minimal.bind_to_any_port("127.0.0.1");
  std::thread listener([&] { minimal.listen_after_bind(); });
  while (!minimal.is_running()) std::this_thread::yield();

  // Enough messages for every receive of the run.
  std::vector<SendRequest> batch(16,
                                 SendRequest{.body = std::string(256, 'r')});
  for (int i = 0; i < 40'000; ++i) {
    (void)server.queues().BatchSendMessage(kAccount, "receive", batch);
  }

  const int port = server.port();
  auto send = [](MnsTestClient& c) {
    return c.Call("POST", "/queues/send/messages", kSendBody);
  };
  auto receive = [](MnsTestClient& c) {
    return c.Call("GET", "/queues/receive/messages");
  };
  const double send_rps = Throughput(port, threads, seconds, 201, send);
  const double send_min = Throughput(minimal_port, threads, seconds, 200, send);
  const double recv_rps = Throughput(port, threads, seconds, 200, receive);
  const double recv_min =
      Throughput(minimal_port, threads, seconds, 200, receive);
  minimal.stop();
  listener.join();

  std::printf("1. Throughput, %d keep-alive client threads, %d s per run\n",
              threads, seconds);
  std::printf("   %-16s %12s %16s %8s\n", "request", "emulator/s",
              "minimal 200/s", "ratio");
  std::printf("   %-16s %12.0f %16.0f %8.2f\n", "SendMessage", send_rps,
              send_min, send_rps / send_min);
  std::printf("   %-16s %12.0f %16.0f %8.2f\n", "ReceiveMessage", recv_rps,
              recv_min, recv_rps / recv_min);
}

void WakeUpSection(Server& server, int rounds) {
  MnsTestClient sender(server.port());
  MnsTestClient receiver(server.port());
  std::vector<double> latencies;
  for (int i = 0; i < rounds; ++i) {
    auto reply = std::async(std::launch::async, [&] {
      Reply r = receiver.Call("GET", "/queues/wake/messages?waitseconds=30");
      return std::make_pair(Steady::now(), r.status);
    });
    while (server.queues().ParkedReceives() == 0) std::this_thread::yield();
    const auto sent_at = Steady::now();
    sender.Call("POST", "/queues/wake/messages", kSendBody);
    auto [replied_at, status] = reply.get();
    if (status != 200) std::printf("  (!) receive status %d\n", status);
    latencies.push_back(Ms(replied_at - sent_at));
    (void)server.queues().ReceiveMessage(kAccount, "wake", 16, 0);
  }
  Summary s = Summarize(latencies);
  std::printf(
      "2. Long-poll wake-up, send -> parked receive's reply, %d rounds\n",
      rounds);
  std::printf("   p50 %.3f ms   p99 %.3f ms   max %.3f ms\n", s.p50, s.p99,
              s.max);
}

struct Latencies {
  Summary send, get;
};

Latencies MeasureOtherQueue(int port, int rounds) {
  MnsTestClient client(port);
  std::vector<double> send, get;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Steady::now();
    client.Call("POST", "/queues/other/messages", kSendBody);
    auto t1 = Steady::now();
    client.Call("GET", "/queues/other");
    auto t2 = Steady::now();
    send.push_back(Ms(t1 - t0));
    get.push_back(Ms(t2 - t1));
  }
  return {Summarize(send), Summarize(get)};
}

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  return fd;
}

void ParkedPollsSection(Server& server, int parked, int rounds) {
  const int port = server.port();
  const Latencies quiet = MeasureOtherQueue(port, rounds);
  const std::string rss_before = ProcStatus("VmRSS");
  const std::string threads_before = ProcStatus("Threads");

  MnsTestClient signer(port);
  std::vector<int> sockets;
  const auto park_start = Steady::now();
  for (int i = 0; i < parked; ++i) {
    int fd = Connect(port);
    std::string request =
        signer.RawRequest("GET", "/queues/parked/messages?waitseconds=30");
    if (send(fd, request.data(), request.size(), 0) < 0) std::perror("send");
    sockets.push_back(fd);
  }
  while (server.queues().ParkedReceives() < static_cast<size_t>(parked)) {
    if (Ms(Steady::now() - park_start) > 25'000) {
      std::printf("  (!) only %zu of %d polls parked\n",
                  server.queues().ParkedReceives(), parked);
      break;
    }
    std::this_thread::yield();
  }
  const double park_ms = Ms(Steady::now() - park_start);
  const std::string rss_parked = ProcStatus("VmRSS");
  const std::string threads_parked = ProcStatus("Threads");
  const Latencies busy = MeasureOtherQueue(port, rounds);

  // Release them all with messages and read every reply.
  const auto release_start = Steady::now();
  std::vector<SendRequest> batch(16, SendRequest{.body = "x"});
  for (int sent = 0; sent < parked; sent += 16) {
    (void)server.queues().BatchSendMessage(kAccount, "parked", batch);
  }
  int answered = 0;
  for (int fd : sockets) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof(buf), 0);
    if (n > 0 && std::string_view(buf, n).starts_with("HTTP/1.1 200")) {
      ++answered;
    }
    close(fd);
  }
  const double release_ms = Ms(Steady::now() - release_start);

  std::printf("3. %d long polls parked on one queue (parked in %.0f ms)\n",
              parked, park_ms);
  std::printf("   %-28s %10s %10s %10s\n", "on another connection", "p50 ms",
              "p99 ms", "max ms");
  auto row = [](const char* name, const Summary& s) {
    std::printf("   %-28s %10.3f %10.3f %10.3f\n", name, s.p50, s.p99, s.max);
  };
  row("SendMessage, none parked", quiet.send);
  row("SendMessage, 1000 parked", busy.send);
  row("GetQueueAttributes, none", quiet.get);
  row("GetQueueAttributes, 1000", busy.get);
  std::printf("   process RSS %s -> %s, threads %s -> %s\n", rss_before.c_str(),
              rss_parked.c_str(), threads_before.c_str(),
              threads_parked.c_str());
  std::printf("   released all %d with messages in %.0f ms (%d answered 200)\n",
              parked, release_ms, answered);
}

void SlowConnectionsSection(Server& server, int slow, int rounds) {
  const int port = server.port();
  const std::string rss_before = ProcStatus("VmRSS");
  std::vector<int> sockets;
  for (int i = 0; i < slow; ++i) {
    int fd = Connect(port);
    if (send(fd, "GET /queu", 9, 0) < 0) std::perror("send");
    sockets.push_back(fd);
  }
  const std::string rss_slow = ProcStatus("VmRSS");
  const std::string threads_slow = ProcStatus("Threads");
  // Trickle one more byte each every 2 s for 12 s, measuring another
  // connection in between.
  std::vector<double> send_ms, get_ms;
  for (int tick = 0; tick < 6; ++tick) {
    for (int fd : sockets) (void)send(fd, "e", 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    const Latencies during = MeasureOtherQueue(port, rounds / 6);
    send_ms.push_back(during.send.p99);
    get_ms.push_back(during.get.p99);
    std::this_thread::sleep_for(std::chrono::seconds(2));
  }
  int closed = 0;
  for (int fd : sockets) {
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) ++closed;
    close(fd);
  }
  std::printf("4. %d slow connections, a byte every 2 s\n", slow);
  std::printf(
      "   on another connection: worst p99 SendMessage %.3f ms, "
      "GetQueueAttributes %.3f ms\n",
      *std::max_element(send_ms.begin(), send_ms.end()),
      *std::max_element(get_ms.begin(), get_ms.end()));
  std::printf("   process RSS %s -> %s with them open, threads %s\n",
              rss_before.c_str(), rss_slow.c_str(), threads_slow.c_str());
  std::printf("   closed by the request deadline after 12 s: %d of %d\n",
              closed, slow);
}

void PopNonceSection(Server& server, int requests) {
  testutil::PopTestClient pop(server.port());
  std::vector<double> latencies;
  int wrong = 0;
  for (int i = 0; i < requests; ++i) {
    const auto t0 = Steady::now();
    auto reply = pop.Call("QuerySendDetails", {{"PhoneNumber", "13800000000"},
                                               {"SendDate", "20260101"},
                                               {"PageSize", "10"},
                                               {"CurrentPage", "1"}});
    latencies.push_back(Ms(Steady::now() - t0));
    if (reply.status != 200) ++wrong;
  }
  const size_t window = std::min<size_t>(1000, latencies.size());
  const Summary first = Summarize(
      std::vector<double>(latencies.begin(), latencies.begin() + window));
  const Summary last =
      Summarize(std::vector<double>(latencies.end() - window, latencies.end()));
  std::printf("5. %d signed POP requests (QuerySendDetails)\n", requests);
  std::printf(
      "   first 1,000: p50 %.3f ms p99 %.3f ms;  last 1,000: p50 "
      "%.3f ms p99 %.3f ms%s\n",
      first.p50, first.p99, last.p50, last.p99,
      wrong > 0 ? "  (!) some were refused" : "");
}

}  // namespace
// What the journal and fault matching cost on the hot path: SendMessage
// and ReceiveMessage with neither, with 100 rules that never match, and
// with the journal on (the default). Each configuration gets a fresh
// emulator; the runs alternate, `rounds` times.
void FaultAndJournalSection(int threads, int seconds, int rounds) {
  struct Setup {
    const char* name;
    std::function<void(EmulatorConfig&)> adjust;
  };
  const Setup setups[] = {
      {"no journal, no rules",
       [](EmulatorConfig& c) { c.journal_capacity = 0; }},
      {"no journal, 100 rules",
       [](EmulatorConfig& c) {
         c.journal_capacity = 0;
         for (int i = 0; i < 100; ++i) {
           auto rule = ParseFaultRule(
               nlohmann::json{{"queue", "nomatch-" + std::to_string(i) + "-*"},
                              {"times", 0},
                              {"error", "InternalError"}});
           c.faults.push_back(*rule);
         }
       }},
      {"journal on, no rules", [](EmulatorConfig&) {}},
  };
  double send[3] = {}, receive[3] = {};
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < 3; ++i) {
      auto server = StartEmulator(setups[i].adjust);
      send[i] += ProfileOne(*server, "send", threads, seconds) / rounds;
      receive[i] += ProfileOne(*server, "receive", threads, seconds) / rounds;
      server->Stop();
    }
  }
  // The same three with no socket: Server::Route() in a loop, one thread,
  // auth off (no HMAC), so the added microseconds stand out from noise.
  constexpr int kCalls = 200'000;
  double send_us[3] = {}, receive_us[3] = {};
  for (int round = 0; round < rounds; ++round) {
    for (int i = 0; i < 3; ++i) {
      auto server = StartEmulator([&](EmulatorConfig& c) {
        setups[i].adjust(c);
        c.auth = AuthMode::kOff;
      });
      std::vector<SendRequest> batch(16, SendRequest{.body = "r"});
      for (int b = 0; b < kCalls / 16 + 1; ++b) {
        (void)server->queues().BatchSendMessage(kAccount, "receive", batch);
      }
      const HttpRequest send_request{.method = "POST",
                                     .target = "/queues/send/messages",
                                     .headers = {{"Host", "127.0.0.1"}},
                                     .body = kSendBody};
      const HttpRequest receive_request{.method = "GET",
                                        .target = "/queues/receive/messages",
                                        .headers = {{"Host", "127.0.0.1"}}};
      for (auto [request, out] :
           {std::pair{&send_request, &send_us[i]},
            std::pair{&receive_request, &receive_us[i]}}) {
        const auto start = Steady::now();
        for (int n = 0; n < kCalls; ++n) (void)server->Route(*request);
        *out += Ms(Steady::now() - start) * 1000 / kCalls / rounds;
      }
      server->Stop();
    }
  }

  std::printf("6. Journal and fault matching, %d threads, %d x %d s\n", threads,
              rounds, seconds);
  std::printf("   %-24s %12s %8s %12s %8s\n", "configuration", "Send/s", "vs",
              "Receive/s", "vs");
  for (int i = 0; i < 3; ++i) {
    std::printf("   %-24s %12.0f %7.1f%% %12.0f %7.1f%%\n", setups[i].name,
                send[i], 100 * (send[i] / send[0] - 1), receive[i],
                100 * (receive[i] / receive[0] - 1));
  }
  std::printf("   Server::Route(), no socket, auth off, %d calls x %d:\n",
              kCalls, rounds);
  std::printf("   %-24s %12s %8s %12s %8s\n", "configuration", "Send us",
              "added", "Receive us", "added");
  for (int i = 0; i < 3; ++i) {
    std::printf("   %-24s %12.2f %8.2f %12.2f %8.2f\n", setups[i].name,
                send_us[i], send_us[i] - send_us[0], receive_us[i],
                receive_us[i] - receive_us[0]);
  }
}

// A scrape of GET /_emulator/metrics with 1,000,000 messages in one queue
// (a tenth Delayed, some Inactive) and a few hundred request series: the
// metrics come from counters, so the scrape must not grow with the messages.
void MetricsSection(int messages) {
  auto server = StartEmulator();
  const auto fill_start = Steady::now();
  for (int i = 0; i < messages; ++i) {
    SendRequest request{.body = "m"};
    if (i % 10 == 0) request.delay_seconds = 3600;
    if (!server->queues().SendMessage(kAccount, "send", request).ok()) {
      std::fprintf(stderr, "cannot fill the queue\n");
      std::exit(1);
    }
  }
  const double fill_ms = Ms(Steady::now() - fill_start);
  MnsTestClient client(server->port());
  for (int i = 0; i < 1000; ++i) {
    client.Call("GET", "/queues/send/messages?numOfMessages=16");
    client.Call("GET", "/queues/q" + std::to_string(i % 50));  // 404s
  }
  httplib::Client scraper("127.0.0.1", server->port());
  scraper.set_keep_alive(true);
  std::vector<double> over_http, in_process;
  size_t bytes = 0;
  for (int i = 0; i < 300; ++i) {
    auto start = Steady::now();
    auto reply = scraper.Get("/_emulator/metrics");
    over_http.push_back(Ms(Steady::now() - start));
    if (!reply || reply->status != 200) {
      std::fprintf(stderr, "the scrape failed\n");
      std::exit(1);
    }
    bytes = reply->body.size();
    start = Steady::now();
    (void)server->RenderMetrics();
    in_process.push_back(Ms(Steady::now() - start));
  }
  const Summary http = Summarize(over_http);
  const Summary rendered = Summarize(in_process);
  std::printf(
      "7. metrics scrape, %d messages in one queue (filled in %.0f ms), "
      "%zu bytes:\n"
      "   over HTTP:   p50 %.3f ms, p99 %.3f ms, max %.3f ms\n"
      "   in process:  p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
      messages, fill_ms, bytes, http.p50, http.p99, http.max, rendered.p50,
      rendered.p99, rendered.max);
}

}  // namespace mns::emulator

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int seconds = argc > 2 ? std::atoi(argv[2]) : 3;
  if (argc > 3 && std::string(argv[3]) == "metrics") {
    mns::emulator::MetricsSection(1'000'000);
    return 0;
  }
  if (argc > 3 && std::string(argv[3]) == "faults") {
    mns::emulator::FaultAndJournalSection(threads, seconds, 3);
    return 0;
  }
  if (argc > 3) {
    auto server = mns::emulator::StartEmulator();
    const std::string only = argv[3];
    std::printf("%s: %.0f/s\n", only.c_str(),
                mns::emulator::ProfileOne(*server, only, threads, seconds));
    return 0;
  }
  std::printf("http_bench: %u hardware threads\n",
              std::thread::hardware_concurrency());
  auto server = mns::emulator::StartEmulator();
  mns::emulator::ThroughputSection(*server, threads, seconds);
  mns::emulator::WakeUpSection(*server, 1000);
  mns::emulator::ParkedPollsSection(*server, 1000, 300);
  mns::emulator::SlowConnectionsSection(*server, 5000, 300);
  mns::emulator::PopNonceSection(*server, 6000);
  server->Stop();
  mns::emulator::FaultAndJournalSection(threads, seconds, 3);
  mns::emulator::MetricsSection(1'000'000);
  return 0;
}
