// Topic benchmarks: the emulator in-process on loopback, signatures checked
// (auth strict), one signed client publishing over keep-alive.
//
//   topic_bench [publishes=2000]
//
// Prints:
//   1. publish -> delivered-to-queue with 1, 10 and 100 queue subscriptions:
//      publishes/s, deliveries/s and the publish latency (p50, p99). A queue
//      delivery is made before the publish answers, so the publish latency
//      is the time to delivered;
//   2. publish -> HTTP endpoint notified: from sending the publish to the
//      receiver's handler running (p50, p99), one publish at a time, to a
//      cpp-httplib receiver on loopback.
// Figures are recorded in docs/benchmarks.md.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"

namespace mns::emulator {
namespace {

using testutil::MnsTestClient;
using Steady = std::chrono::steady_clock;

double Ms(Steady::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

double Percentile(std::vector<double> samples, double q) {
  std::sort(samples.begin(), samples.end());
  return samples[std::min(samples.size() - 1,
                          static_cast<size_t>(q * samples.size()))];
}

const std::string kPublish = "<Message><MessageBody>" + std::string(256, 'b') +
                             "</MessageBody></Message>";

std::unique_ptr<Server> StartServer() {
  EmulatorConfig config = DefaultConfig();
  config.port = 0;
  config.journal_capacity = 0;  // the topic path alone
  config.topics.max_deliveries = 1'000'000;
  auto server = Server::Start(std::move(config));
  if (!server.ok()) {
    std::fprintf(stderr, "start: %s\n", server.status().message().c_str());
    std::exit(1);
  }
  return std::move(server).value();
}

void QueueFanOut(int subscriptions, int publishes) {
  auto server = StartServer();
  MnsTestClient client(server->port());
  client.Call("PUT", "/topics/t");
  for (int i = 0; i < subscriptions; ++i) {
    const std::string q = "q" + std::to_string(i);
    client.Call("PUT", "/queues/" + q);
    client.Call("PUT", "/topics/t/subscriptions/s" + std::to_string(i),
                "<Subscription><Endpoint>acs:mns:r:1:queues/" + q +
                    "</Endpoint><NotifyContentFormat>SIMPLIFIED"
                    "</NotifyContentFormat></Subscription>");
  }
  std::vector<double> latencies;
  latencies.reserve(publishes);
  const auto start = Steady::now();
  for (int i = 0; i < publishes; ++i) {
    const auto sent = Steady::now();
    if (client.Call("POST", "/topics/t/messages", kPublish).status != 201) {
      std::fprintf(stderr, "publish failed\n");
      std::exit(1);
    }
    latencies.push_back(Ms(Steady::now() - sent));
  }
  const double seconds =
      std::chrono::duration<double>(Steady::now() - start).count();
  auto last = server->queues().GetQueueAttributes(
      "1234567890123456", "q" + std::to_string(subscriptions - 1));
  std::printf(
      "  %3d subscriptions: %7.0f publishes/s, %8.0f deliveries/s, "
      "publish = delivered p50 %.3f ms, p99 %.3f ms (last queue holds %lld)\n",
      subscriptions, publishes / seconds, publishes * subscriptions / seconds,
      Percentile(latencies, 0.5), Percentile(latencies, 0.99),
      last.ok() ? static_cast<long long>(last->counts.active) : -1LL);
}

void HttpNotified(int publishes) {
  httplib::Server receiver;
  std::mutex mutex;
  std::condition_variable arrived;
  int count = 0;
  Steady::time_point notified;
  receiver.Post("/n", [&](const httplib::Request&, httplib::Response& w) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      notified = Steady::now();
      ++count;
    }
    arrived.notify_all();
    w.status = 204;
  });
  const int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { receiver.listen_after_bind(); });
  while (!receiver.is_running()) std::this_thread::yield();
  auto server = StartServer();
  MnsTestClient client(server->port());
  client.Call("PUT", "/topics/t");
  client.Call("PUT", "/topics/t/subscriptions/h",
              "<Subscription><Endpoint>http://127.0.0.1:" +
                  std::to_string(port) + "/n</Endpoint></Subscription>");
  std::vector<double> latencies;
  for (int i = 0; i < publishes; ++i) {
    const auto sent = Steady::now();
    client.Call("POST", "/topics/t/messages", kPublish);
    std::unique_lock<std::mutex> lock(mutex);
    arrived.wait(lock, [&] { return count == i + 1; });
    latencies.push_back(Ms(notified - sent));
  }
  receiver.stop();
  serving.join();
  std::printf(
      "  %d publishes, one at a time: notified p50 %.3f ms, p99 %.3f ms "
      "(the first push makes the RSA key: max %.1f ms)\n",
      publishes, Percentile(latencies, 0.5), Percentile(latencies, 0.99),
      *std::max_element(latencies.begin(), latencies.end()));
}

}  // namespace
}  // namespace mns::emulator

int main(int argc, char** argv) {
  const int publishes = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::printf("1. publish -> delivered to queue subscriptions\n");
  for (int subscriptions : {1, 10, 100}) {
    mns::emulator::QueueFanOut(
        subscriptions, subscriptions == 100 ? publishes / 4 : publishes);
  }
  std::printf("2. publish -> HTTP endpoint notified\n");
  mns::emulator::HttpNotified(publishes / 2);
  return 0;
}
