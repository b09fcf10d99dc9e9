#include "emulator/certify/certify.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "emulator/http/server.h"
#include "mns/alicom_client.h"
#include "mns/common/clock.h"
#include "mns/common/strings.h"
#include "mns/common/time_format.h"

extern char** environ;

namespace mns::certify {
namespace {

using emulator::JournalEntry;
using emulator::Server;
using Seconds = std::chrono::duration<double>;

constexpr char kAlicomAccount[] = "1943695596114318";
constexpr size_t kMaxOffenders = 10;
// Sends to these numbers are never reported (compensates).
constexpr char kUnreportedPrefix[] = "137";

// --- helpers
// ------------------------------------------------------------------

std::string Fixed(double value, int digits = 1) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

// --- the consumer process ----------------------------------------------------

// The consumer under test, in a process group of its own so that stopping it
// stops whatever it started; its stdout and stderr go to one file.
class ConsumerProcess {
 public:
  ConsumerProcess(const std::vector<std::string>& argv,
                  const std::map<std::string, std::string>& env,
                  const std::string& output_path)
      : output_path_(output_path) {
    std::vector<std::string> environment;
    std::set<std::string> overridden;
    for (const auto& [name, value] : env) {
      environment.push_back(name + "=" + value);
      overridden.insert(name);
    }
    for (char** e = environ; *e != nullptr; ++e) {
      std::string entry(*e);
      if (!overridden.contains(entry.substr(0, entry.find('=')))) {
        environment.push_back(entry);
      }
    }
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (auto& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    const int out =
        open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      dup2(out, STDOUT_FILENO);
      dup2(out, STDERR_FILENO);
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, STDIN_FILENO);
      execvpe(args[0], args.data(), envp.data());
      dprintf(STDERR_FILENO, "alicom-certify: cannot run %s: %s\n", args[0],
              strerror(errno));
      _exit(127);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
    close(out);
  }
  ~ConsumerProcess() { Stop(); }

  // Whether it still runs; once it has ended, its exit status is kept.
  bool Alive() {
    if (exit_status_) return false;
    int status = 0;
    if (pid_ <= 0) {
      exit_status_ = 127;
      return false;
    }
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_status_ =
          WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return false;
    }
    return true;
  }
  std::optional<int> exit_status() const { return exit_status_; }

  // SIGTERM, then SIGKILL after 5 s.
  void Stop() {
    if (!Alive()) return;
    kill(-pid_, SIGTERM);
    const auto give_up =
        std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (Alive() && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (Alive()) {
      kill(-pid_, SIGKILL);
      int status = 0;
      waitpid(pid_, &status, 0);
      exit_status_ = 128 + SIGKILL;
    }
  }

  std::string OutputTail(size_t bytes = 4000) const {
    std::ifstream in(output_path_);
    std::stringstream text;
    text << in.rdbuf();
    std::string all = text.str();
    return all.size() > bytes ? "…" + all.substr(all.size() - bytes) : all;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
  std::string output_path_;
};

// --- one scenario's world
// ------------------------------------------------------

class Run {
 public:
  Run(const CertifyOptions& options, const std::string& scenario,
      const std::string& output_dir, emulator::EmulatorConfig config)
      : options_(options), scenario_(scenario) {
    config.port = 0;
    // Receipts soon after each send, so that scenarios are short.
    config.alicom.sms.report_delay_seconds = 1;
    config.alicom.sms.rules = {
        {.phone = "139*",
         .delivered = false,
         .err_code = "MK:0001",
         .err_msg = "空号"},
        {.phone = std::string(kUnreportedPrefix) + "*", .reports = 0}};
    auto server = Server::Start(std::move(config));
    if (!server.ok()) {
      start_error_ = server.status().message();
      return;
    }
    server_ = std::move(server).value();
    const auto& account = server_->config().accounts.front();
    uid_ = account.uid;
    queue_ = "Alicom-Queue-" + uid_ + "-" + options.message_type;
    key_id_ = account.access_keys.front().id;
    key_secret_ = account.access_keys.front().secret;
    sends_path_ = output_dir + "/" + scenario + ".sends.jsonl";
    std::ofstream(sends_path_, std::ios::trunc).flush();
    const std::string clock_url = server_->address() + "/_emulator/clock";
    alicom_ = std::make_unique<AlicomClient>(ClientOptions{
        .endpoint = server_->address(),
        .credentials = MakeStaticCredentials(key_id_, key_secret_)});
    const std::map<std::string, std::string> values = {
        {"pop_endpoint", server_->address()},
        {"mns_endpoint", server_->address()},
        {"access_key_id", key_id_},
        {"access_key_secret", key_secret_},
        {"uid", uid_},
        {"queue", queue_},
        {"sends_file", sends_path_},
        {"clock_url", clock_url}};
    std::vector<std::string> argv;
    for (std::string arg : options.command) {
      for (const auto& [name, value] : values) {
        const std::string placeholder = "{" + name + "}";
        for (size_t at = arg.find(placeholder); at != std::string::npos;
             at = arg.find(placeholder, at + value.size())) {
          arg.replace(at, placeholder.size(), value);
        }
      }
      argv.push_back(arg);
    }
    consumer_ = std::make_unique<ConsumerProcess>(
        argv,
        std::map<std::string, std::string>{
            {"ALICOM_POP_ENDPOINT", server_->address()},
            {"ALICOM_MNS_ENDPOINT", server_->address()},
            {"ALICOM_ACCESS_KEY_ID", key_id_},
            {"ALICOM_ACCESS_KEY_SECRET", key_secret_},
            {"ALIBABA_CLOUD_ACCESS_KEY_ID", key_id_},
            {"ALIBABA_CLOUD_ACCESS_KEY_SECRET", key_secret_},
            {"ALICOM_UID", uid_},
            {"ALICOM_QUEUE", queue_},
            {"ALICOM_MESSAGE_TYPE", options.message_type},
            {"ALICOM_SENDS_FILE", sends_path_},
            {"ALICOM_CLOCK_URL", clock_url}},
        output_dir + "/" + scenario + ".log");
  }

  ~Run() {
    if (consumer_) consumer_->Stop();
    if (server_) server_->Stop();
  }

  const std::string& start_error() const { return start_error_; }
  const CertifyOptions& options() const { return options_; }
  Server& server() { return *server_; }
  ConsumerProcess& consumer() { return *consumer_; }
  const std::string& queue() const { return queue_; }

  Duration Scaled(double seconds) const {
    return std::chrono::milliseconds(
        static_cast<int64_t>(seconds * 1000 * options_.timeout_scale));
  }

  // Polls `done` every 50 ms for up to `limit`; true once it holds.
  bool WaitFor(const std::function<bool()>& done, Duration limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= give_up) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }
  void Sleep(Duration d) { std::this_thread::sleep_for(d); }

  // The consumer's requests: everything but the tool's own sends.
  std::vector<JournalEntry> ConsumerRequests(int64_t since = 0) {
    std::vector<JournalEntry> out;
    for (JournalEntry& e :
         server_->journal().Query({.since = since, .limit = 100'000})) {
      if (e.facts.operation == "SendSms" ||
          e.facts.operation == "SendBatchSms" ||
          e.facts.protocol == "control") {
        continue;
      }
      out.push_back(std::move(e));
    }
    return out;
  }
  int64_t LastSequence() {
    auto all = server_->journal().Query({.limit = 100'000});
    return all.empty() ? 0 : all.back().sequence;
  }

  // Waits until the consumer is up: a receive journaled, or a token
  // fetched a second ago (a long poll is journaled only when it ends, so a
  // parked one shows as a token and then silence). An error when it exits
  // first or makes no request.
  std::optional<std::string> WaitForFirstReceive() {
    std::optional<TimePoint> token_at;
    const bool up = WaitFor(
        [&] {
          if (!consumer_->Alive()) return true;
          for (const auto& e : ConsumerRequests()) {
            if (e.facts.operation.ends_with("ReceiveMessage")) return true;
            if (e.facts.operation == "QueryTokenForMnsQueue" && !token_at) {
              token_at = e.real_time;
            }
          }
          return token_at &&
                 real_clock_.Now() - *token_at > std::chrono::seconds(1);
        },
        Scaled(20));
    if (!consumer_->Alive()) {
      return "consumer exited with status " +
             std::to_string(*consumer_->exit_status()) +
             " before its first receive";
    }
    if (!up) {
      return "consumer made no request within " +
             Fixed(20 * options_.timeout_scale, 0) + " s";
    }
    return std::nullopt;
  }

  // Produces `n` receipts of the certified type: real SendSms calls (every
  // third to a number whose outcome is a failure) or injected replies.
  Status Produce(int n) {
    for (int i = 0; i < n; ++i) {
      const std::string phone = NextPhone(i % 3 == 2 ? "139" : "138");
      if (options_.message_type == "SmsUp") {
        MNS_RETURN_IF_ERROR(
            server_->alicom()
                .InjectSmsUp({.phone_number = phone, .content = "TD"})
                .status());
      } else {
        MNS_RETURN_IF_ERROR(Send(phone).status());
      }
    }
    return OkStatus();
  }
  int produced() const { return produced_; }

  // A SendSms whose receipt never comes (an outcome rule with reports 0).
  StatusOr<emulator::SmsRecord> SendUnreported() {
    return Send(NextPhone(kUnreportedPrefix));
  }

  // A real SendSms to `phone`, recorded in the sends file as the
  // consumer's sender would record it (README "Certifying a consumer").
  StatusOr<emulator::SmsRecord> Send(const std::string& phone) {
    MNS_ASSIGN_OR_RETURN(SendSmsResult sent,
                         alicom_->SendSms({.phone_numbers = {phone},
                                           .sign_name = "阿里云",
                                           .template_code = "SMS_1"}));
    auto records = server_->alicom().Outbox({.biz_id = sent.biz_id});
    if (records.empty()) {
      return Status(StatusCode::kInternal,
                    "the outbox has no record of " + sent.biz_id);
    }
    const nlohmann::json line = {
        {"biz_id", sent.biz_id},
        {"phone_number", phone},
        {"sent_at", FormatIso8601(records.front().send_time)}};
    std::ofstream(sends_path_, std::ios::app) << line.dump() << "\n";
    return records.front();
  }
  // Messages in the consumer's queue, visible or not.
  int64_t Backlog() {
    auto info = server_->queues().GetQueueAttributes(kAlicomAccount, queue_);
    if (!info.ok()) return -1;
    return info->counts.active + info->counts.inactive + info->counts.delayed;
  }
  // Whether every produced receipt has reached the queue and left it.
  bool Drained() {
    if (options_.message_type == "SmsReport") {
      for (const auto& record : server_->alicom().Outbox({})) {
        if (record.send_status == 1) return false;  // receipt still due
      }
    }
    return Backlog() == 0;
  }

  void AddFault(const std::string& rule) {
    auto parsed = emulator::ParseFaultRule(nlohmann::json::parse(rule));
    server_->faults().Add(std::move(parsed).value());
  }

 private:
  std::string NextPhone(const char* prefix) {
    char phone[16];
    std::snprintf(phone, sizeof phone, "%s%08d", prefix, ++produced_);
    return phone;
  }

  const CertifyOptions& options_;
  std::string scenario_;
  std::string start_error_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<ConsumerProcess> consumer_;
  std::unique_ptr<AlicomClient> alicom_;
  std::string uid_, queue_, key_id_, key_secret_, sends_path_;
  int produced_ = 0;
  SystemClock real_clock_;
};

bool IsReceive(const JournalEntry& e) {
  return e.facts.operation.ends_with("ReceiveMessage");
}
bool IsDelete(const JournalEntry& e) {
  return e.facts.operation.ends_with("DeleteMessage");
}

// Counts and the request ids that break `bad`.
void Offenders(const std::vector<JournalEntry>& entries,
               const std::function<bool(const JournalEntry&)>& bad,
               Verdict& verdict) {
  for (const auto& e : entries) {
    if (bad(e) && verdict.offending_request_ids.size() < kMaxOffenders) {
      verdict.offending_request_ids.push_back(e.request_id);
    }
  }
}

std::string CountsLine(const std::vector<JournalEntry>& entries) {
  int receives = 0, deletes = 0, errors = 0;
  for (const auto& e : entries) {
    receives += IsReceive(e);
    deletes += IsDelete(e);
    errors += e.status >= 400 && e.error_code != "MessageNotExist";
  }
  return std::to_string(entries.size()) +
         " requests: " + std::to_string(receives) + " receives, " +
         std::to_string(deletes) + " deletes, " + std::to_string(errors) +
         " errors";
}

// A drained queue within `limit`, with the evidence either way.
bool ExpectDrained(Run& run, Duration limit, const std::string& what,
                   Verdict& verdict) {
  const auto start = std::chrono::steady_clock::now();
  const bool drained = run.WaitFor([&] { return run.Drained(); }, limit);
  const double took = Seconds(std::chrono::steady_clock::now() - start).count();
  if (drained) {
    verdict.evidence.push_back(what + " drained in " + Fixed(took) + " s");
  } else {
    verdict.evidence.push_back(std::to_string(run.Backlog()) +
                               " messages still in the queue " + Fixed(took) +
                               " s after " + what);
  }
  return drained;
}

bool ExpectAlive(Run& run, Verdict& verdict) {
  if (run.consumer().Alive()) return true;
  verdict.evidence.push_back("the consumer exited with status " +
                             std::to_string(*run.consumer().exit_status()));
  return false;
}

// --- the scenarios
// -------------------------------------------------------------

void DrainsReceipts(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  if (Status produced = run.Produce(20); !produced.ok()) {
    v.summary = "could not produce receipts: " + produced.message();
    return;
  }
  const bool drained = ExpectDrained(run, run.Scaled(30), "20 receipts", v);
  v.evidence.push_back(CountsLine(run.ConsumerRequests(since)));
  v.passed = drained;
  v.summary = drained ? "all 20 receipts deleted"
                      : "receipts left in the queue after 30 s";
}

void LongPolls(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  const auto window = run.Scaled(20);
  run.Sleep(window);
  const auto entries = run.ConsumerRequests(since);
  std::vector<JournalEntry> receives;
  std::set<uint64_t> connections;
  for (const auto& e : entries) {
    if (!IsReceive(e)) continue;
    receives.push_back(e);
    connections.insert(e.connection_id);
  }
  // The Alicom queues' PollingWaitSeconds is 0: a receive without
  // waitseconds is a short poll.
  auto short_poll = [](const JournalEntry& e) {
    return e.facts.wait_seconds.value_or(0) < 1;
  };
  Offenders(receives, short_poll, v);
  const auto shorts =
      std::count_if(receives.begin(), receives.end(), short_poll);
  const double seconds = Seconds(window).count();
  const double rate =
      receives.size() / std::max<double>(1, connections.size()) / seconds;
  v.evidence.push_back(
      std::to_string(receives.size()) + " receives in " + Fixed(seconds, 0) +
      " s on " + std::to_string(connections.size()) +
      " connections: " + Fixed(rate, 2) + " per second per connection");
  v.evidence.push_back(std::to_string(shorts) + " with waitseconds < 1");
  const bool alive = ExpectAlive(run, v);
  v.passed = shorts == 0 && rate <= 1.0 && alive;
  v.summary = v.passed ? "every receive long-polls"
              : shorts > 0
                  ? std::to_string(shorts) + " short polls (waitseconds < 1)"
              : !alive ? "the consumer exited"
                       : "more than 1 receive per second per connection";
}

void RefreshesToken(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  const auto end = std::chrono::steady_clock::now() + run.Scaled(170);
  int64_t worst_backlog = 0;
  while (std::chrono::steady_clock::now() < end && run.consumer().Alive()) {
    (void)run.Produce(1);
    run.Sleep(run.Scaled(10));
    worst_backlog = std::max(worst_backlog, run.Backlog());
  }
  const bool drained =
      ExpectDrained(run, run.Scaled(15), "the last receipt", v);
  const auto entries = run.ConsumerRequests(since);
  Offenders(
      entries,
      [](const JournalEntry& e) {
        return e.error_code == "SecurityTokenExpired";
      },
      v);
  // Each token's first and last use against its expiry.
  std::map<std::string, std::pair<TimePoint, TimePoint>> uses;
  for (const auto& e : entries) {
    if (!e.facts.temporary_key) continue;
    auto [it, fresh] = uses.try_emplace(e.facts.access_key_id, e.emulator_time,
                                        e.emulator_time);
    if (!fresh) it->second.second = e.emulator_time;
  }
  for (const auto& [key, span] : uses) {
    auto principal = run.server().credentials().Lookup(key);
    std::string line = "token " + key.substr(0, 10) + "…: used " +
                       FormatIso8601(span.first) + " to " +
                       FormatIso8601(span.second);
    if (principal.ok() && principal->expire_time) {
      line += ", expires " + FormatIso8601(*principal->expire_time);
    }
    v.evidence.push_back(line);
  }
  v.evidence.push_back("largest backlog at a 10 s tick: " +
                       std::to_string(worst_backlog));
  const bool expired_use = !v.offending_request_ids.empty();
  const bool alive = ExpectAlive(run, v);
  v.passed = !expired_use && drained && alive && worst_backlog <= 2;
  v.summary = expired_use ? "requests signed with an expired token"
              : !alive    ? "the consumer exited"
              : !drained || worst_backlog > 2
                  ? "receipts were not deleted throughout"
                  : "refreshed before expiry; " + std::to_string(uses.size()) +
                        " tokens used";
}

void SurvivesErrors(Run& run, Verdict& v) {
  (void)run.Produce(5);
  const int64_t since = run.LastSequence();
  for (const char* op : {"ReceiveMessage", "BatchReceiveMessage"}) {
    run.AddFault(
        std::string(R"({"operation":")") + op +
        R"(","times":0,"probability":0.5,"error":"ServiceUnavailable"})");
    run.AddFault(std::string(R"({"operation":")") + op +
                 R"(","times":0,"drop":true})");
  }
  const auto outage = run.Scaled(10);
  run.Sleep(outage);
  const auto during = run.ConsumerRequests(since);
  run.server().faults().Clear();
  const double rate = during.size() / Seconds(outage).count();
  v.evidence.push_back(std::to_string(during.size()) +
                       " requests during the 10 s outage: " + Fixed(rate) +
                       " per second (at most 5)");
  if (rate > 5) {
    for (size_t i = 0; i < during.size() && i < kMaxOffenders; ++i) {
      v.offending_request_ids.push_back(during[i].request_id);
    }
  }
  const bool drained = ExpectDrained(run, run.Scaled(15), "the outage", v);
  const bool alive = ExpectAlive(run, v);
  v.passed = alive && rate <= 5 && drained;
  v.summary = !alive     ? "the consumer exited during the outage"
              : rate > 5 ? "no backoff: " + Fixed(rate) + " requests per second"
              : !drained ? "receipts not deleted within 15 s after the outage"
                         : "backed off and drained after the outage";
}

void SurvivesLostResponses(Run& run, Verdict& v) {
  run.AddFault(
      R"({"operation":"DeleteMessage","times":5,"drop_after_commit":true})");
  run.AddFault(
      R"({"operation":"BatchDeleteMessage","times":5,"drop_after_commit":true})");
  const int64_t since = run.LastSequence();
  (void)run.Produce(10);
  const bool drained = ExpectDrained(run, run.Scaled(30), "10 receipts", v);
  int64_t fired = 0;
  for (const auto& rule : run.server().faults().List()) fired += rule.fired;
  v.evidence.push_back(std::to_string(fired) + " delete responses dropped");
  v.evidence.push_back(CountsLine(run.ConsumerRequests(since)));
  const bool alive = ExpectAlive(run, v);
  v.passed = alive && drained;
  v.summary = !alive    ? "the consumer exited after a lost response"
              : drained ? "kept draining through lost responses"
                        : "stopped draining after lost responses";
}

void ToleratesDuplicates(Run& run, Verdict& v) {
  run.AddFault(R"({"duplicate":true,"times":0})");
  const int64_t since = run.LastSequence();
  (void)run.Produce(10);
  const bool drained = ExpectDrained(run, run.Scaled(30), "10 receipts", v);
  v.evidence.push_back(std::to_string(run.server().faults().List()[0].fired) +
                       " receives answered with duplicates");
  v.evidence.push_back(CountsLine(run.ConsumerRequests(since)));
  const bool alive = ExpectAlive(run, v);
  v.passed = alive && drained;
  v.summary = !alive    ? "the consumer exited on a duplicate"
              : drained ? "every copy deleted"
                        : "copies left in the queue";
}

void IsolatesPoison(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  const auto start = std::chrono::steady_clock::now();
  (void)run.Produce(5);
  // Let the good ones reach the queue first, then the poison, then more.
  run.Sleep(std::chrono::milliseconds(1500));
  auto poison = run.server().queues().SendMessage(
      kAlicomAccount, run.queue(), {.body = "this is not base64 JSON {"});
  (void)run.Produce(5);
  const std::string poison_id = poison.ok() ? poison->message_id : "";
  // Good receipts deleted: the backlog is at most the poison.
  const bool settled = run.WaitFor(
      [&] {
        for (const auto& r : run.server().alicom().Outbox({})) {
          if (r.send_status == 1) return false;
        }
        return run.Backlog() <= 1;
      },
      run.Scaled(30));
  const double seconds =
      Seconds(std::chrono::steady_clock::now() - start).count();
  const auto entries = run.ConsumerRequests(since);
  const double rate = entries.size() / std::max(1.0, seconds);
  const bool alive = ExpectAlive(run, v);
  // What is left, once every invisible message is visible again.
  run.consumer().Stop();
  run.server().clock().Advance(std::chrono::hours(13));
  auto left =
      run.server().queues().PeekMessage(kAlicomAccount, run.queue(), 16);
  bool good_left = false, poison_left = false;
  if (left.ok()) {
    for (const auto& m : *left) {
      (m.message_id == poison_id ? poison_left : good_left) = true;
    }
  }
  v.information.push_back(poison_left
                              ? "the poison message was left in the queue"
                              : "the poison message was deleted");
  v.evidence.push_back(CountsLine(entries) + " in " + Fixed(seconds) +
                       " s: " + Fixed(rate) + " per second (at most 20)");
  v.passed = settled && !good_left && alive && rate <= 20;
  v.summary = !alive      ? "the consumer exited on the poison message"
              : good_left ? "good receipts were not deleted"
              : rate > 20 ? "the request rate ran away"
                          : "the good receipts were deleted";
}

void WaitsForQueue(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  const auto outage_end = std::chrono::steady_clock::now() + run.Scaled(10);
  while (std::chrono::steady_clock::now() < outage_end &&
         run.consumer().Alive()) {
    run.Sleep(std::chrono::milliseconds(50));
  }
  const auto during = run.ConsumerRequests(since);
  const double rate = during.size() / Seconds(run.Scaled(10)).count();
  if (!run.consumer().Alive()) {
    const std::string output = run.consumer().OutputTail();
    const int status = *run.consumer().exit_status();
    const bool named = output.find(run.queue()) != std::string::npos;
    v.passed = status != 0 && named;
    v.information.push_back(
        "behaviour: exited with status " + std::to_string(status) +
        (named ? ", naming the missing queue" : ", without naming the queue"));
    v.summary = v.passed ? "exited naming the missing queue"
                         : "exited without naming the missing queue";
    return;
  }
  run.server().faults().Clear();
  const int64_t after = run.LastSequence();
  (void)run.Produce(1);
  const bool receiving = run.WaitFor(
      [&] {
        for (const auto& e : run.ConsumerRequests(after)) {
          if (IsReceive(e) && e.status == 200) return true;
        }
        return false;
      },
      run.Scaled(10) + std::chrono::seconds(2));
  v.information.push_back("behaviour: kept running and waited for the queue");
  v.evidence.push_back(std::to_string(during.size()) +
                       " requests while the queue was missing: " + Fixed(rate) +
                       " per second (at most 5)");
  v.evidence.push_back(receiving ? "received again after the queue appeared"
                                 : "no receive within 10 s of the queue "
                                   "appearing");
  v.passed = receiving && rate <= 5;
  v.summary = !receiving ? "did not resume receiving"
              : rate > 5 ? "no backoff while the queue was missing"
                         : "waited for the queue and resumed";
}

// One send is never reported. The consumer must look it up with
// QuerySendDetails (by its BizId, or by its number with no BizId) within
// the deadline after the send, on the emulator clock. The tool moves that
// clock 20 times faster than real time, so a consumer must take its time
// from ALICOM_CLOCK_URL; with --real-time it waits the deadline out instead.
void Compensates(Run& run, Verdict& v) {
  const int64_t since = run.LastSequence();
  (void)run.Produce(2);
  auto lost = run.SendUnreported();
  (void)run.Produce(2);
  if (!lost.ok()) {
    v.summary = "could not send: " + lost.status().message();
    return;
  }
  const Duration deadline = run.options().compensation_deadline;
  const TimePoint due = lost->send_time + deadline;
  v.evidence.push_back("the send to " + lost->phone_number + " (BizId " +
                       lost->biz_id + ") at " + FormatIso8601(lost->send_time) +
                       " is never reported");
  auto looks_up_lost = [&](const JournalEntry& e) {
    return e.facts.operation == "QuerySendDetails" && e.status == 200 &&
           (e.facts.biz_id == lost->biz_id ||
            (e.facts.biz_id.empty() &&
             e.facts.phone_number == lost->phone_number));
  };
  auto lookup = [&]() -> std::optional<JournalEntry> {
    for (JournalEntry& e : run.ConsumerRequests(since)) {
      if (looks_up_lost(e)) return std::move(e);
    }
    return std::nullopt;
  };
  auto& clock = run.server().clock();
  if (run.options().real_time) {
    run.WaitFor([&] { return lookup() || !run.consumer().Alive(); },
                deadline + std::chrono::seconds(1));
  } else {
    while (clock.Now() < due && !lookup() && run.consumer().Alive()) {
      clock.Advance(std::chrono::seconds(1));
      run.Sleep(std::chrono::milliseconds(50));
    }
    // A lookup made just before the deadline may still be in flight.
    run.WaitFor([&] { return lookup().has_value(); }, std::chrono::seconds(1));
  }
  const auto entries = run.ConsumerRequests(since);
  int lookups = 0;
  for (const auto& e : entries) {
    lookups += e.facts.operation == "QuerySendDetails" && !looks_up_lost(e);
  }
  const std::optional<JournalEntry> found = lookup();
  const bool in_time = found && found->emulator_time <= due;
  const std::string limit = Fixed(Seconds(deadline).count(), 0) + " s";
  if (found) {
    v.evidence.push_back(
        "looked up by QuerySendDetails " +
        Fixed(Seconds(found->emulator_time - lost->send_time).count()) +
        " s after the send on the emulator clock (at most " + limit + ")");
    if (!in_time) v.offending_request_ids.push_back(found->request_id);
  } else {
    v.evidence.push_back(
        "no QuerySendDetails for it within " + limit +
        " on the emulator clock" +
        (run.options().real_time
             ? ""
             : ", which ran 20 times fast: a consumer that reads its own "
               "clock rather than ALICOM_CLOCK_URL needs --real-time"));
  }
  v.information.push_back(std::to_string(lookups) +
                          " other QuerySendDetails calls");
  ExpectDrained(run, run.Scaled(15), "the 4 reported sends", v);
  const bool alive = ExpectAlive(run, v);
  v.passed = in_time && alive;
  v.summary = !alive    ? "the consumer exited"
              : in_time ? "looked up the unreported send in time"
              : found   ? "looked up the unreported send too late"
                        : "never looked up the unreported send";
}

struct Scenario {
  ScenarioInfo info;
  emulator::EmulatorConfig config;
  // Fault rules in force from the consumer's start.
  std::vector<std::string> initial_faults;
  std::function<void(Run&, Verdict&)> body;
};

const std::vector<Scenario>& AllScenarios() {
  static const std::vector<Scenario> kScenarios = [] {
    auto plain = [](void (*f)(Run&, Verdict&)) {
      return std::function<void(Run&, Verdict&)>(f);
    };
    emulator::EmulatorConfig defaults = emulator::DefaultConfig();
    emulator::EmulatorConfig short_tokens = defaults;
    short_tokens.alicom.token_lifetime = std::chrono::seconds(150);
    std::vector<Scenario> all = {
        {{"drains-receipts",
          "20 receipts (delivered and failed) from real SendSms calls are all "
          "deleted within 30 s; the queue then holds no message",
          true, false},
         defaults,
         {},
         plain(DrainsReceipts)},
        {{"long-polls",
          "with the queue empty for 20 s, every receive has waitseconds >= 1 "
          "and there is at most 1 receive per second per connection",
          true, false},
         defaults,
         {},
         plain(LongPolls)},
        {{"refreshes-token",
          "tokens live 150 s; for 170 s no request is signed with an expired "
          "token and receipts are deleted throughout (backlog <= 2)",
          false, false},
         short_tokens,
         {},
         plain(RefreshesToken)},
        {{"survives-errors",
          "receives fail for 10 s (503 and dropped connections): the process "
          "stays alive, makes at most 5 requests per second, and drains "
          "within 15 s after",
          true, false},
         defaults,
         {},
         plain(SurvivesErrors)},
        {{"survives-lost-responses",
          "the responses of the next 5 DeleteMessage and 5 BatchDeleteMessage "
          "are lost after the delete: the process stays alive and drains 10 "
          "receipts within 30 s",
          true, false},
         defaults,
         {},
         plain(SurvivesLostResponses)},
        {{"tolerates-duplicates",
          "every receipt is delivered twice: every copy is deleted within "
          "30 s and the process stays alive",
          true, false},
         defaults,
         {},
         plain(ToleratesDuplicates)},
        {{"isolates-poison",
          "a body that is not base64 JSON among 10 good receipts: the good "
          "ones are deleted within 30 s, the process stays alive, at most 20 "
          "requests per second; the poison's fate is reported, not judged",
          true, false},
         defaults,
         {},
         plain(IsolatesPoison)},
        {{"waits-for-queue",
          "for 10 s the queue answers QueueNotExist: at most 5 requests per "
          "second meanwhile, and receiving again within 10 s of the queue "
          "appearing (or exiting non-zero naming the queue)",
          true, false},
         defaults,
         {R"({"queue":"Alicom-Queue-*","times":0,"error":"QueueNotExist"})"},
         plain(WaitsForQueue)},
        {{"compensates",
          "one send is never reported: the consumer calls QuerySendDetails "
          "for it (its BizId, or its number) within --compensation-deadline "
          "(default 120 s) of the send on the emulator clock, which runs 20 "
          "times fast unless --real-time; SmsReport only",
          true, true},
         defaults,
         {},
         plain(Compensates)},
    };
    return all;
  }();
  return kScenarios;
}

Verdict RunScenario(const CertifyOptions& options, const Scenario& scenario,
                    const std::string& output_dir) {
  Verdict v{.scenario = scenario.info.name};
  const auto start = std::chrono::steady_clock::now();
  {
    Run run(options, scenario.info.name, output_dir, scenario.config);
    if (!run.start_error().empty()) {
      v.summary = "the emulator did not start: " + run.start_error();
      return v;
    }
    for (const auto& rule : scenario.initial_faults) run.AddFault(rule);
    if (auto problem = run.WaitForFirstReceive()) {
      v.summary = *problem;
    } else {
      scenario.body(run, v);
    }
    run.consumer().Stop();
    v.consumer_output = run.consumer().OutputTail();
  }
  v.seconds = Seconds(std::chrono::steady_clock::now() - start).count();
  return v;
}

std::string XmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // Control bytes other than tab and newline cannot appear in XML.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

const std::vector<ScenarioInfo>& Scenarios() {
  static const std::vector<ScenarioInfo> kInfo = [] {
    std::vector<ScenarioInfo> out;
    for (const auto& s : AllScenarios()) out.push_back(s.info);
    return out;
  }();
  return kInfo;
}

std::vector<Verdict> Certify(
    const CertifyOptions& options, const std::vector<std::string>& names,
    const std::function<void(const Verdict&)>& progress) {
  std::string output_dir = options.report_dir;
  if (output_dir.empty()) {
    char pattern[] = "/tmp/alicom-certify-XXXXXX";
    output_dir = mkdtemp(pattern) ? pattern : "/tmp";
  }
  std::filesystem::create_directories(output_dir);
  std::vector<Verdict> verdicts;
  for (const Scenario& scenario : AllScenarios()) {
    if (std::find(names.begin(), names.end(), scenario.info.name) ==
        names.end()) {
      continue;
    }
    verdicts.push_back(RunScenario(options, scenario, output_dir));
    if (progress) progress(verdicts.back());
    if (!verdicts.back().passed && !options.keep_going) break;
  }
  return verdicts;
}

std::string SummaryText(const std::vector<Verdict>& verdicts) {
  std::string out;
  int passed = 0;
  for (const Verdict& v : verdicts) {
    passed += v.passed;
    out += std::string(v.passed ? "PASS " : "FAIL ") + v.scenario + " (" +
           Fixed(v.seconds) + " s): " + v.summary + "\n";
    for (const auto& e : v.evidence) out += "     " + e + "\n";
    for (const auto& i : v.information) out += "     info: " + i + "\n";
    if (!v.offending_request_ids.empty()) {
      out += "     offending requests:";
      for (const auto& id : v.offending_request_ids) out += " " + id;
      out += "\n";
    }
    if (!v.passed && !v.consumer_output.empty()) {
      out += "     consumer output (tail):\n";
      std::istringstream lines(v.consumer_output);
      std::string line;
      std::vector<std::string> tail;
      while (std::getline(lines, line)) tail.push_back(line);
      const size_t from = tail.size() > 8 ? tail.size() - 8 : 0;
      for (size_t i = from; i < tail.size(); ++i) {
        out += "       | " + tail[i] + "\n";
      }
    }
  }
  out += std::to_string(passed) + " of " + std::to_string(verdicts.size()) +
         " scenarios passed\n";
  return out;
}

std::string MarkdownReport(const CertifyOptions& options,
                           const std::vector<Verdict>& verdicts) {
  std::string command;
  for (const auto& a : options.command)
    command += (command.empty() ? "" : " ") + a;
  std::string out = "# alicom-certify report\n\nConsumer: `" + command +
                    "`, message type " + options.message_type + "\n\n";
  out += "| scenario | verdict | seconds | summary |\n|---|---|---|---|\n";
  for (const Verdict& v : verdicts) {
    out += "| " + v.scenario + " | " + (v.passed ? "pass" : "**FAIL**") +
           " | " + Fixed(v.seconds) + " | " + v.summary + " |\n";
  }
  for (const Verdict& v : verdicts) {
    out += "\n## " + v.scenario + "\n\n";
    for (const auto& e : v.evidence) out += "- " + e + "\n";
    for (const auto& i : v.information) out += "- info: " + i + "\n";
    if (!v.offending_request_ids.empty()) {
      out += "- offending requests:";
      for (const auto& id : v.offending_request_ids) out += " `" + id + "`";
      out += "\n";
    }
    if (!v.consumer_output.empty()) {
      out += "\n```\n" + v.consumer_output + "\n```\n";
    }
  }
  return out;
}

std::string JunitReport(const std::vector<Verdict>& verdicts) {
  int failures = 0;
  double seconds = 0;
  for (const Verdict& v : verdicts) {
    failures += !v.passed;
    seconds += v.seconds;
  }
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)"
                    "\n<testsuite name=\"alicom-certify\" tests=\"" +
                    std::to_string(verdicts.size()) + "\" failures=\"" +
                    std::to_string(failures) + "\" time=\"" +
                    Fixed(seconds, 3) + "\">\n";
  for (const Verdict& v : verdicts) {
    std::string evidence;
    for (const auto& e : v.evidence) evidence += e + "\n";
    for (const auto& i : v.information) evidence += "info: " + i + "\n";
    out += "  <testcase classname=\"alicom-certify\" name=\"" + v.scenario +
           "\" time=\"" + Fixed(v.seconds, 3) + "\">\n";
    if (!v.passed) {
      out += "    <failure message=\"" + XmlEscape(v.summary) + "\">" +
             XmlEscape(evidence) + "</failure>\n";
    }
    out += "    <system-out>" + XmlEscape(evidence + v.consumer_output) +
           "</system-out>\n  </testcase>\n";
  }
  return out + "</testsuite>\n";
}

}  // namespace mns::certify
