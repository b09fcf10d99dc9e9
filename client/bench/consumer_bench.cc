// consumer_bench: how many receipts per second AlicomConsumer handles end to
// end against the emulator on loopback — batch receive (16), decode, the
// handler, batch delete — signing with a temporary token as in production.
//
//   consumer_bench [messages] [workers...]     default: 100000 1 2 4
//
// The queue is filled in-process before each run (not timed); the clock is
// the time from Start() until the last message is deleted.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "emulator/http/server.h"
#include "mns/alicom_client.h"
#include "mns/alicom_consumer.h"
#include "mns/common/crypto.h"
#include "mns/mns_client.h"
#include "mns/token_provider.h"

namespace {

constexpr char kAccount[] = "1943695596114318";
constexpr char kQueue[] = "Alicom-Queue-1234567890123456-SmsReport";

// A delivery receipt as Alicom writes it (spec alicom §5.2), base64 on the
// wire like every body the SDKs send.
std::string ReceiptBody(int i) {
  const std::string json =
      R"({"phone_number":"138)" + std::to_string(10'000'000 + i) +
      R"(","success":true,"biz_id":")" + std::to_string(900'000'000 + i) +
      R"(^0","out_id":"","send_time":"2024-03-01 12:00:00",)"
      R"("report_time":"2024-03-01 12:00:02","err_code":"DELIVERED",)"
      R"("err_msg":"用户接收成功","sms_size":"1"})";
  return mns::Base64Encode(json);
}

double Run(mns::emulator::Server& server, int messages, int workers) {
  for (int i = 0; i < messages; ++i) {
    auto sent =
        server.queues().SendMessage(kAccount, kQueue, {.body = ReceiptBody(i)});
    if (!sent.ok()) {
      std::fprintf(stderr, "fill: %s\n", sent.status().ToString().c_str());
      std::exit(1);
    }
  }
  auto alicom = std::make_shared<mns::AlicomClient>(
      mns::ClientOptions{.endpoint = server.address(),
                         .credentials = mns::MakeStaticCredentials(
                             "mns-emulator-key", "mns-emulator-secret")});
  auto tokens = std::make_shared<mns::AlicomTokenProvider>(
      alicom, "SmsReport", mns::AlicomTokenProvider::Options{});
  auto client = std::make_shared<mns::MnsClient>(
      mns::ClientOptions{.endpoint = server.address(), .credentials = tokens});
  mns::AlicomConsumer consumer(
      client, tokens,
      mns::AlicomConsumer::Options{
          .queue_name = kQueue, .wait_seconds = 1, .workers = workers});
  consumer.OnReport(
      [](const mns::SmsReport& r, const mns::Message&) { return r.success; });

  const auto start = std::chrono::steady_clock::now();
  consumer.Start();
  while (consumer.stats().deleted < messages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  consumer.Stop();
  const auto stats = consumer.stats();
  if (stats.handled != messages || stats.errors != 0) {
    std::fprintf(stderr, "unexpected: handled %lld, errors %lld\n",
                 static_cast<long long>(stats.handled),
                 static_cast<long long>(stats.errors));
  }
  return messages / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const int messages = argc > 1 ? std::atoi(argv[1]) : 100'000;
  std::vector<int> worker_counts;
  for (int i = 2; i < argc; ++i) worker_counts.push_back(std::atoi(argv[i]));
  if (worker_counts.empty()) worker_counts = {1, 2, 4};

  std::printf("%d SmsReport messages, batches of 16\n", messages);
  for (int workers : worker_counts) {
    // A fresh emulator per run: the previous consumer's Stop() cancelled a
    // parked poll, and the server may still hand that poll a batch, which
    // then waits out its visibility timeout (as it would in the cloud).
    mns::emulator::EmulatorConfig config = mns::emulator::DefaultConfig();
    config.port = 0;
    auto server = mns::emulator::Server::Start(config);
    if (!server.ok()) {
      std::fprintf(stderr, "%s\n", server.status().ToString().c_str());
      return 1;
    }
    const double rate = Run(**server, messages, workers);
    std::printf("workers %d: %.0f messages/s (receive + decode + delete)\n",
                workers, rate);
  }
  return 0;
}
