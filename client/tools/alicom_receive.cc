// alicom-receive: the seed's receipt sample done right. It fetches a
// temporary token for the Alicom queue and refreshes it before it expires,
// long-polls in batches, prints each receipt, deletes it, backs off on
// errors, and stops cleanly on Ctrl-C (the poll in flight is cancelled).
//
// Against the local emulator every flag has a default; against Alibaba
// Cloud give the keys and your account's queue (see --help).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "client/tools/command_line.h"
#include "mns/alicom_client.h"
#include "mns/alicom_consumer.h"
#include "mns/mns_client.h"
#include "mns/token_provider.h"

namespace {

using nlohmann::ordered_json;

constexpr char kUsage[] = R"(usage: alicom-receive [flags]

Receives SMS delivery receipts (SmsReport) or replies (SmsUp) from your
Alicom queue, prints each one and deletes it. Stops on Ctrl-C.

  --type SmsReport|SmsUp   default SmsReport
  --queue NAME             default $ALICOM_QUEUE, else
                           Alicom-Queue-<uid>-<type> with --uid
  --uid UID                your account id; default $ALICOM_UID, else the
                           emulator's 1234567890123456
  --pop-endpoint URL       Dybaseapi, for the token; default
                           $ALICOM_POP_ENDPOINT, else http://127.0.0.1:9876
                           (Alibaba Cloud: https://dybaseapi.aliyuncs.com)
  --mns-endpoint URL       the receipt queues' MNS; default
                           $ALICOM_MNS_ENDPOINT, else http://127.0.0.1:9876
                           (Alibaba Cloud:
                           https://1943695596114318.mns.cn-hangzhou.aliyuncs.com)
  --access-key-id ID       default $ALICOM_ACCESS_KEY_ID, else the emulator's
  --access-key-secret KEY  default $ALICOM_ACCESS_KEY_SECRET, else the
                           emulator's
  --wait S                 long-poll seconds, 1..30; default 30
  --max N                  exit after N receipts; default: run until Ctrl-C
  --json                   one JSON object per line
)";

int Usage(const std::string& problem) {
  std::cerr << "alicom-receive: " << problem << "\n\n" << kUsage;
  return 2;
}

std::string Describe(const mns::SmsReport& r) {
  std::string line = "SmsReport " + r.phone_number + "  " +
                     (r.success ? "delivered" : "FAILED " + r.err_code) +
                     (r.success || r.err_msg.empty() ? "" : " " + r.err_msg) +
                     "  biz_id " + r.biz_id + "  sent " + r.send_time +
                     "  reported " + r.report_time;
  if (!r.out_id.empty()) line += "  out_id " + r.out_id;
  return line + "  parts " + std::to_string(r.sms_size);
}

std::string Describe(const mns::SmsUp& u) {
  return "SmsUp " + u.phone_number + " -> " + u.sign_name +
         (u.dest_code.empty() ? "" : " (extend code " + u.dest_code + ")") +
         "  at " + u.send_time + "  \"" + u.content + "\"";
}

ordered_json Json(const mns::SmsReport& r) {
  return {{"type", "SmsReport"},          {"phone_number", r.phone_number},
          {"success", r.success},         {"biz_id", r.biz_id},
          {"out_id", r.out_id},           {"send_time", r.send_time},
          {"report_time", r.report_time}, {"err_code", r.err_code},
          {"err_msg", r.err_msg},         {"sms_size", r.sms_size}};
}

ordered_json Json(const mns::SmsUp& u) {
  return {{"type", "SmsUp"},
          {"phone_number", u.phone_number},
          {"send_time", u.send_time},
          {"content", u.content},
          {"sign_name", u.sign_name},
          {"dest_code", u.dest_code},
          {"sequence_id", u.sequence_id}};
}

}  // namespace

int main(int argc, char** argv) {
  mns::tools::CommandLine args;
  if (auto problem = mns::tools::ParseCommandLine(
          argc, argv, {"json"},
          {"type", "queue", "uid", "pop-endpoint", "mns-endpoint",
           "access-key-id", "access-key-secret", "wait", "max"},
          args)) {
    return Usage(*problem);
  }
  if (args.help) {
    std::cout << kUsage;
    return 0;
  }
  if (!args.positional.empty())
    return Usage("unexpected " + args.positional[0]);
  const std::string type = args.Get("type", nullptr, "SmsReport");
  if (type != "SmsReport" && type != "SmsUp") {
    return Usage("--type must be SmsReport or SmsUp");
  }
  int wait = 30;
  int64_t max = 0;
  try {
    wait = std::stoi(args.Get("wait", nullptr, "30"));
    max = std::stoll(args.Get("max", nullptr, "0"));
  } catch (const std::exception&) {
    return Usage("--wait and --max take numbers");
  }
  if (wait < 1 || wait > 30) return Usage("--wait must be 1..30");
  const std::string uid = args.Get("uid", "ALICOM_UID", "1234567890123456");
  const std::string queue =
      args.Get("queue", "ALICOM_QUEUE", "Alicom-Queue-" + uid + "-" + type);
  const bool json = args.Has("json");

  // Signals are taken by sigwait below, never by an asynchronous handler:
  // block them before any thread starts so every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGINT, SIGTERM, SIGUSR1}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto keys = mns::MakeStaticCredentials(
      args.Get("access-key-id", "ALICOM_ACCESS_KEY_ID", "mns-emulator-key"),
      args.Get("access-key-secret", "ALICOM_ACCESS_KEY_SECRET",
               "mns-emulator-secret"));
  auto alicom = std::make_shared<mns::AlicomClient>(mns::ClientOptions{
      .endpoint = args.Get("pop-endpoint", "ALICOM_POP_ENDPOINT",
                           "http://127.0.0.1:9876"),
      .credentials = keys});
  auto tokens = std::make_shared<mns::AlicomTokenProvider>(
      alicom, type, mns::AlicomTokenProvider::Options{});
  // Fail fast on a wrong key or endpoint rather than retrying forever.
  if (auto first = tokens->Get(); !first.ok()) {
    std::cerr << "alicom-receive: no token: "
              << mns::tools::DescribeError(first.status()) << "\n";
    return 1;
  }
  auto mns_client = std::make_shared<mns::MnsClient>(mns::ClientOptions{
      .endpoint = args.Get("mns-endpoint", "ALICOM_MNS_ENDPOINT",
                           "http://127.0.0.1:9876"),
      .credentials = tokens});

  mns::AlicomConsumer consumer(
      mns_client, tokens,
      mns::AlicomConsumer::Options{.queue_name = queue, .wait_seconds = wait});
  std::mutex output;
  std::atomic<int64_t> printed{0};
  // Prints under the lock; at --max asks the main thread to stop.
  auto print = [&](const std::string& human, const ordered_json& machine) {
    std::lock_guard<std::mutex> lock(output);
    if (max > 0 && printed >= max) return false;  // left for the next run
    std::cout << (json ? machine.dump() : human) << std::endl;
    if (++printed == max) kill(getpid(), SIGUSR1);
    return true;
  };
  if (type == "SmsReport") {
    consumer.OnReport([&](const mns::SmsReport& r, const mns::Message&) {
      return print(Describe(r), Json(r));
    });
  } else {
    consumer.OnUp([&](const mns::SmsUp& u, const mns::Message&) {
      return print(Describe(u), Json(u));
    });
  }
  consumer.OnMalformed([&](const mns::Message& m, const mns::Status& why) {
    std::lock_guard<std::mutex> lock(output);
    std::cerr << "not a receipt, message " << m.message_id << ": "
              << why.message() << "\n";
  });
  consumer.OnError([&](const mns::Status& status) {
    std::lock_guard<std::mutex> lock(output);
    std::cerr << "retrying after: " << mns::tools::DescribeError(status)
              << "\n";
  });
  std::cerr << "receiving " << type << " from " << queue
            << " (Ctrl-C to stop)\n";
  consumer.Start();
  int signal = 0;
  sigwait(&signals, &signal);
  consumer.Stop();
  const auto stats = consumer.stats();
  std::cerr << "stopped: " << stats.received << " received, " << stats.handled
            << " printed, " << stats.deleted << " deleted, " << stats.errors
            << " errors\n";
  return 0;
}
