// alicom-receive: the seed's receipt sample done right. It fetches a
// temporary token for the Alicom queue and refreshes it before it expires,
// long-polls in batches, prints each receipt, deletes it, backs off on
// errors, and stops cleanly on Ctrl-C (the poll in flight is cancelled).
// Given the sends to watch (--sends-file), it also compensates: a send
// whose receipt is overdue is looked up with QuerySendDetails.
//
// Against the local emulator every flag has a default; against Alibaba
// Cloud give the keys and your account's queue (see --help).
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <string>
#include <thread>

#include "client/tools/command_line.h"
#include "client/tools/emulator_clock.h"
#include "client/tools/sends_file.h"
#include "mns/alicom_client.h"
#include "mns/alicom_consumer.h"
#include "mns/mns_client.h"
#include "mns/reconciler.h"
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
  --ca-file FILE           HTTPS: trust the CAs in FILE (the emulator's
                           ca.pem with --tls); default $ALICOM_CA_FILE, else
                           the system's
  --resolve HOST=ADDR,...  reach HOST at ADDR, in this process only (the
                           cloud's names at an emulator)
  --wait S                 long-poll seconds, 1..30; default 30
  --max N                  exit after N receipts; default: run until Ctrl-C
  --json                   one JSON object per line

Compensation (SmsReport only):
  --sends-file FILE        sends to watch, one JSON object a line,
                           {"biz_id","phone_number","sent_at"} (ISO 8601),
                           appended by your sender; default
                           $ALICOM_SENDS_FILE. A send with no receipt after
                           --receipt-deadline is looked up with
                           QuerySendDetails and its status printed
  --receipt-deadline S     seconds to wait for a receipt; default 60
  --clock-url URL          take the time for that deadline from an
                           emulator's /_emulator/clock (default
                           $ALICOM_CLOCK_URL); "" for the system clock
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

std::string Describe(const mns::ReceiptReconciler::Outcome& o) {
  using Status = mns::SendStatus;
  return "SendDetail " + o.phone_number + "  " +
         (o.status == Status::kDelivered ? "delivered"
          : o.status == Status::kFailed  ? "FAILED " + o.err_code
                                         : "still waiting, gave up") +
         "  biz_id " + o.biz_id + "  (no receipt; from QuerySendDetails)";
}

ordered_json Json(const mns::ReceiptReconciler::Outcome& o) {
  using Status = mns::SendStatus;
  return {{"type", "SendDetail"},
          {"phone_number", o.phone_number},
          {"biz_id", o.biz_id},
          {"status", o.status == Status::kDelivered ? "delivered"
                     : o.status == Status::kFailed  ? "failed"
                                                    : "waiting"},
          {"err_code", o.err_code}};
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

// Once a second until `stop`: tracks the sends appended to `path` and looks
// up those whose receipt is overdue.
void Compensate(const std::string& path, mns::ReceiptReconciler& reconciler,
                std::mutex& output, std::stop_token stop) {
  mns::tools::SendsFile sends(path);
  std::mutex mutex;
  std::condition_variable_any wake;
  while (!stop.stop_requested()) {
    std::vector<std::string> problems;
    for (const auto& send : sends.ReadNew(problems)) {
      reconciler.Track(send.biz_id, {send.phone_number}, send.sent_at);
    }
    const auto pass = reconciler.ReconcileDue();
    {
      std::lock_guard<std::mutex> lock(output);
      for (const auto& problem : problems) {
        std::cerr << "skipped a line: " << problem << "\n";
      }
      if (pass.errors > 0) {
        std::cerr << "QuerySendDetails failed, asking again later: "
                  << mns::tools::DescribeError(pass.last_error) << "\n";
      }
    }
    std::unique_lock<std::mutex> lock(mutex);
    wake.wait_for(lock, stop, std::chrono::seconds(1), [] { return false; });
  }
}

}  // namespace

int main(int argc, char** argv) {
  mns::tools::CommandLine args;
  if (auto problem = mns::tools::ParseCommandLine(
          argc, argv, {"json"},
          {"type", "queue", "uid", "pop-endpoint", "mns-endpoint",
           "access-key-id", "access-key-secret", "wait", "max", "sends-file",
           "receipt-deadline", "clock-url", "ca-file", "resolve"},
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
  int64_t max = 0, receipt_deadline = 60;
  try {
    wait = std::stoi(args.Get("wait", nullptr, "30"));
    max = std::stoll(args.Get("max", nullptr, "0"));
    receipt_deadline = std::stoll(args.Get("receipt-deadline", nullptr, "60"));
  } catch (const std::exception&) {
    return Usage("--wait, --max and --receipt-deadline take numbers");
  }
  if (wait < 1 || wait > 30) return Usage("--wait must be 1..30");
  if (receipt_deadline < 1 || receipt_deadline > 86400) {
    return Usage("--receipt-deadline must be 1..86400");
  }
  const std::string sends_file =
      args.Get("sends-file", "ALICOM_SENDS_FILE", "");
  if (!sends_file.empty() && type != "SmsReport") {
    return Usage("--sends-file needs --type SmsReport");
  }
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
  mns::ClientOptions https;
  if (auto problem =
          mns::tools::ApplyHttpsFlags(args, "ALICOM_CA_FILE", https)) {
    return Usage(*problem);
  }
  mns::ClientOptions pop_options = https;
  pop_options.endpoint =
      args.Get("pop-endpoint", "ALICOM_POP_ENDPOINT", "http://127.0.0.1:9876");
  pop_options.credentials = keys;
  auto alicom = std::make_shared<mns::AlicomClient>(pop_options);
  auto tokens = std::make_shared<mns::AlicomTokenProvider>(
      alicom, type, mns::AlicomTokenProvider::Options{});
  // Fail fast on a wrong key or endpoint rather than retrying forever.
  if (auto first = tokens->Get(); !first.ok()) {
    std::cerr << "alicom-receive: no token: "
              << mns::tools::DescribeError(first.status()) << "\n";
    return 1;
  }
  mns::ClientOptions mns_options = https;
  mns_options.endpoint =
      args.Get("mns-endpoint", "ALICOM_MNS_ENDPOINT", "http://127.0.0.1:9876");
  mns_options.credentials = tokens;
  auto mns_client = std::make_shared<mns::MnsClient>(mns_options);

  // Compensation's clock: the emulator's when asked, else the system's.
  std::shared_ptr<mns::Clock> deadline_clock;
  if (const std::string url = args.Get("clock-url", "ALICOM_CLOCK_URL", "");
      !sends_file.empty() && !url.empty()) {
    auto clock = mns::tools::EmulatorClock::Connect(url);
    if (!clock.ok()) {
      std::cerr << "alicom-receive: " << clock.status().message() << "\n";
      return 1;
    }
    deadline_clock = std::move(clock).value();
  }
  mns::ReceiptReconciler reconciler(
      alicom, {.receipt_deadline = std::chrono::seconds(receipt_deadline),
               .requery_interval = std::chrono::seconds(receipt_deadline),
               .clock = deadline_clock});

  mns::AlicomConsumer consumer(
      mns_client, tokens,
      mns::AlicomConsumer::Options{
          .queue_name = queue,
          .wait_seconds = wait,
          // Backoff grows to 5 s, not the library's 30: a queue that comes
          // back, or an outage that ends, is noticed within seconds
          // (alicom-certify's waits-for-queue and survives-errors).
          .max_backoff = std::chrono::seconds(5)});
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
      if (!sends_file.empty()) reconciler.OnReceipt(r);
      return print(Describe(r), Json(r));
    });
    reconciler.OnOutcome([&](const mns::ReceiptReconciler::Outcome& o) {
      if (o.resolved_by != mns::ReceiptReconciler::ResolvedBy::kReceipt) {
        print(Describe(o), Json(o));
      }
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
  std::jthread compensating;
  if (!sends_file.empty()) {
    compensating = std::jthread([&](std::stop_token stop) {
      Compensate(sends_file, reconciler, output, stop);
    });
  }
  int signal = 0;
  sigwait(&signals, &signal);
  compensating = {};  // stops and joins it
  consumer.Stop();
  const auto stats = consumer.stats();
  std::cerr << "stopped: " << stats.received << " received, " << stats.handled
            << " printed, " << stats.deleted << " deleted, " << stats.errors
            << " errors\n";
  return 0;
}
