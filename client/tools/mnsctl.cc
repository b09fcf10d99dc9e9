// mnsctl: a command line for MNS queues and topics, on the client library.
//
//   mnsctl [global flags] COMMAND [ARGS] [FLAGS]
//
// Human-readable output by default, --json for scripts. An error prints its
// MNS code and request id and exits 1; bad usage exits 2.
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "client/tools/command_line.h"
#include "mns/common/time_format.h"
#include "mns/mns_client.h"
#include "mns/topic_client.h"

namespace {

using nlohmann::ordered_json;

constexpr char kUsage[] = R"(usage: mnsctl [global flags] COMMAND [ARGS] [FLAGS]

Queues:
  create-queue NAME [attribute flags]     create (or confirm) a queue
  set-queue NAME [attribute flags]        change some attributes
  get-queue NAME                          attributes and counters
  delete-queue NAME
  list-queues [--prefix P]                every queue name, page by page
Messages:
  send QUEUE BODY [--delay S] [--priority P]
  receive QUEUE [--wait S] [--count N]    up to N (1..16) messages
  peek QUEUE [--count N]
  delete QUEUE RECEIPT_HANDLE
  change-visibility QUEUE RECEIPT_HANDLE SECONDS

Topics:
  create-topic NAME [--max-size BYTES] [--logging true|false]
  set-topic NAME [--max-size BYTES] [--logging true|false]
  get-topic NAME                          attributes and message count
  delete-topic NAME
  list-topics [--prefix P]
  publish TOPIC BODY [--tag T] [--direct-sms JSON] [--direct-mail JSON]
Subscriptions:
  subscribe TOPIC NAME ENDPOINT [--strategy BACKOFF_RETRY|EXPONENTIAL_DECAY_RETRY]
            [--format XML|JSON|SIMPLIFIED] [--filter-tag T]
            ENDPOINT: http(s)://…, acs:mns:REGION:ACCOUNT:queues/QUEUE,
            mail:directmail:ADDRESS, sms:directsms:PHONE|anonymous
  set-subscription TOPIC NAME [--strategy S] [--filter-tag T]
  get-subscription TOPIC NAME
  unsubscribe TOPIC NAME
  list-subscriptions TOPIC [--prefix P]

Attribute flags: --delay S --max-size BYTES --retention S
  --visibility-timeout S --polling-wait S --logging true|false

Global flags:
  --endpoint URL            default $MNS_ENDPOINT, else http://127.0.0.1:9876
  --access-key-id ID        default $MNS_ACCESS_KEY_ID, else the emulator's
  --access-key-secret KEY   default $MNS_ACCESS_KEY_SECRET, else the emulator's
  --security-token TOKEN    default $MNS_SECURITY_TOKEN
  --ca-file FILE            HTTPS: trust the CAs in FILE (the emulator's
                            ca.pem with --tls); default $MNS_CA_FILE
  --resolve HOST=ADDR,...   reach HOST at ADDR, in this process only
  --raw                     send and show bodies as they are, not base64
  --json                    print JSON
)";

// The command's words and flags; the global ones are taken out.
struct Args : mns::tools::CommandLine {
  bool json = false;
  bool raw = false;
};

int Usage(const std::string& problem) {
  std::cerr << "mnsctl: " << problem << "\n\n" << kUsage;
  return 2;
}

int Fail(const mns::Status& status, bool json) {
  if (json) {
    std::cout << ordered_json{{"error", status.error_code()},
                              {"message", status.message()},
                              {"request_id", status.request_id()}}
                     .dump(2)
              << "\n";
  } else {
    std::cerr << "error: " << mns::tools::DescribeError(status) << "\n";
  }
  return 1;
}

std::optional<int64_t> IntFlag(const Args& args, const std::string& name) {
  auto it = args.flags.find(name);
  if (it == args.flags.end()) return std::nullopt;
  return std::stoll(it->second);
}

mns::QueueAttributes Attributes(const Args& args) {
  mns::QueueAttributes a;
  a.delay_seconds = IntFlag(args, "delay");
  a.maximum_message_size = IntFlag(args, "max-size");
  a.message_retention_period = IntFlag(args, "retention");
  a.visibility_timeout = IntFlag(args, "visibility-timeout");
  a.polling_wait_seconds = IntFlag(args, "polling-wait");
  if (auto it = args.flags.find("logging"); it != args.flags.end()) {
    a.logging_enabled = it->second == "true";
  }
  return a;
}

ordered_json MessageJson(const mns::Message& m) {
  ordered_json j = {{"message_id", m.message_id},
                    {"body", m.body},
                    {"body_md5", m.body_md5},
                    {"dequeue_count", m.dequeue_count},
                    {"priority", m.priority},
                    {"enqueue_time", mns::FormatIso8601(m.enqueue_time)}};
  if (!m.receipt_handle.empty()) {
    j["receipt_handle"] = m.receipt_handle;
    j["next_visible_time"] = mns::FormatIso8601(m.next_visible_time);
  }
  return j;
}

void PrintMessages(const std::vector<mns::Message>& messages, bool json) {
  if (json) {
    ordered_json list = ordered_json::array();
    for (const auto& m : messages) list.push_back(MessageJson(m));
    std::cout << list.dump(2) << "\n";
    return;
  }
  for (const auto& m : messages) {
    std::cout << m.message_id << "  dequeued " << m.dequeue_count
              << "x  priority " << m.priority << "\n";
    if (!m.receipt_handle.empty()) {
      std::cout << "  receipt handle: " << m.receipt_handle << "\n";
    }
    std::cout << "  " << m.body << "\n";
  }
}

void PrintFields(const ordered_json& j, bool json) {
  if (json) {
    std::cout << j.dump(2) << "\n";
    return;
  }
  for (const auto& [key, value] : j.items()) {
    std::cout << key << ": "
              << (value.is_string() ? value.get<std::string>() : value.dump())
              << "\n";
  }
}

std::optional<std::string> Flag(const Args& args, const std::string& name) {
  auto it = args.flags.find(name);
  if (it == args.flags.end()) return std::nullopt;
  return it->second;
}

// --strategy and --format, or a usage message.
std::optional<std::string> SubscriptionFlags(
    const Args& args, mns::SubscriptionAttributes& attributes) {
  if (auto strategy = Flag(args, "strategy")) {
    if (*strategy == "BACKOFF_RETRY") {
      attributes.notify_strategy = mns::NotifyStrategy::kBackoffRetry;
    } else if (*strategy == "EXPONENTIAL_DECAY_RETRY") {
      attributes.notify_strategy = mns::NotifyStrategy::kExponentialDecayRetry;
    } else {
      return "--strategy is BACKOFF_RETRY or EXPONENTIAL_DECAY_RETRY";
    }
  }
  if (auto format = Flag(args, "format")) {
    if (*format == "XML") {
      attributes.notify_content_format = mns::NotifyContentFormat::kXml;
    } else if (*format == "JSON") {
      attributes.notify_content_format = mns::NotifyContentFormat::kJson;
    } else if (*format == "SIMPLIFIED") {
      attributes.notify_content_format = mns::NotifyContentFormat::kSimplified;
    } else {
      return "--format is XML, JSON or SIMPLIFIED";
    }
  }
  attributes.filter_tag = Flag(args, "filter-tag");
  return std::nullopt;
}

// Every name of a paged listing; `page` fetches one page from a marker.
template <typename Page>
int ListAll(const std::function<mns::StatusOr<Page>(const std::string&)>& page,
            std::vector<std::string> Page::*names, bool json) {
  ordered_json list = ordered_json::array();
  std::string marker;
  do {
    auto got = page(marker);
    if (!got.ok()) return Fail(got.status(), json);
    for (const std::string& name : (*got).*names) {
      if (json) {
        list.push_back(name);
      } else {
        std::cout << name << "\n";
      }
    }
    marker = got->next_marker;
  } while (!marker.empty());
  if (json) std::cout << list.dump(2) << "\n";
  return 0;
}

// The topic and subscription commands; nullopt for any other command.
std::optional<int> RunTopic(mns::TopicClient& client, const Args& args) {
  const auto& p = args.positional;
  const std::string& command = p[0];
  auto need = [&](size_t n) { return p.size() == n + 1; };
  const mns::TopicAttributes attributes{
      .maximum_message_size = IntFlag(args, "max-size"),
      .message_retention_period = IntFlag(args, "retention"),
      .logging_enabled =
          Flag(args, "logging")
              ? std::optional<bool>(*Flag(args, "logging") == "true")
              : std::nullopt};
  auto done = [&](const mns::Status& s) {
    return s.ok() ? 0 : Fail(s, args.json);
  };

  if (command == "create-topic" && need(1)) {
    auto created = client.CreateTopic(p[1], attributes);
    if (!created.ok()) return Fail(created.status(), args.json);
    PrintFields({{"topic", p[1]}, {"created", *created}}, args.json);
    return 0;
  }
  if (command == "set-topic" && need(1)) {
    return done(client.SetTopicAttributes(p[1], attributes));
  }
  if (command == "get-topic" && need(1)) {
    auto info = client.GetTopicAttributes(p[1]);
    if (!info.ok()) return Fail(info.status(), args.json);
    PrintFields(
        {{"name", info->name},
         {"message_count", info->message_count},
         {"maximum_message_size", info->maximum_message_size},
         {"message_retention_period", info->message_retention_period},
         {"logging_enabled", info->logging_enabled},
         {"create_time", mns::FormatIso8601(info->create_time)},
         {"last_modify_time", mns::FormatIso8601(info->last_modify_time)}},
        args.json);
    return 0;
  }
  if (command == "delete-topic" && need(1))
    return done(client.DeleteTopic(p[1]));
  if (command == "list-topics" && need(0)) {
    const std::string prefix = Flag(args, "prefix").value_or("");
    return ListAll<mns::TopicPage>(
        [&](const std::string& marker) {
          return client.ListTopics(prefix, marker);
        },
        &mns::TopicPage::topic_names, args.json);
  }
  if (command == "publish" && need(2)) {
    mns::PublishMessageRequest request{.body = p[2],
                                       .tag = Flag(args, "tag").value_or("")};
    if (auto sms = Flag(args, "direct-sms"))
      request.attributes["DirectSMS"] = *sms;
    if (auto mail = Flag(args, "direct-mail")) {
      request.attributes["DirectMail"] = *mail;
    }
    auto published = client.PublishMessage(p[1], request);
    if (!published.ok()) return Fail(published.status(), args.json);
    if (args.json) {
      PrintFields({{"message_id", published->message_id},
                   {"body_md5", published->body_md5}},
                  true);
    } else {
      std::cout << published->message_id << "\n";
    }
    return 0;
  }
  if ((command == "subscribe" && need(3)) ||
      (command == "set-subscription" && need(2))) {
    mns::SubscriptionAttributes subscription;
    if (auto problem = SubscriptionFlags(args, subscription)) {
      return Usage(*problem);
    }
    if (command == "set-subscription") {
      return done(client.SetSubscriptionAttributes(p[1], p[2], subscription));
    }
    subscription.endpoint = p[3];
    auto created = client.Subscribe(p[1], p[2], subscription);
    if (!created.ok()) return Fail(created.status(), args.json);
    PrintFields(
        {{"topic", p[1]}, {"subscription", p[2]}, {"created", *created}},
        args.json);
    return 0;
  }
  if (command == "get-subscription" && need(2)) {
    auto info = client.GetSubscriptionAttributes(p[1], p[2]);
    if (!info.ok()) return Fail(info.status(), args.json);
    PrintFields(
        {{"topic", info->topic_name},
         {"subscription", info->subscription_name},
         {"endpoint", info->endpoint},
         {"notify_strategy", mns::NotifyStrategyName(info->notify_strategy)},
         {"notify_content_format",
          mns::NotifyContentFormatName(info->notify_content_format)},
         {"filter_tag", info->filter_tag},
         {"topic_owner", info->topic_owner},
         {"create_time", mns::FormatIso8601(info->create_time)},
         {"last_modify_time", mns::FormatIso8601(info->last_modify_time)}},
        args.json);
    return 0;
  }
  if (command == "unsubscribe" && need(2)) {
    return done(client.Unsubscribe(p[1], p[2]));
  }
  if (command == "list-subscriptions" && need(1)) {
    const std::string prefix = Flag(args, "prefix").value_or("");
    return ListAll<mns::SubscriptionPage>(
        [&](const std::string& marker) {
          return client.ListSubscriptions(p[1], prefix, marker);
        },
        &mns::SubscriptionPage::subscription_names, args.json);
  }
  return std::nullopt;
}

int Run(mns::MnsClient& client, const Args& args) {
  const auto& p = args.positional;
  const std::string& command = p[0];
  auto need = [&](size_t n) { return p.size() == n + 1; };

  if (command == "create-queue" && need(1)) {
    auto created = client.CreateQueue(p[1], Attributes(args));
    if (!created.ok()) return Fail(created.status(), args.json);
    if (args.json) {
      std::cout << ordered_json{{"queue", p[1]}, {"created", *created}}.dump(2)
                << "\n";
    } else {
      std::cout << (*created ? "created " : "exists with the same attributes: ")
                << p[1] << "\n";
    }
    return 0;
  }
  if (command == "set-queue" && need(1)) {
    mns::Status s = client.SetQueueAttributes(p[1], Attributes(args));
    return s.ok() ? 0 : Fail(s, args.json);
  }
  if (command == "get-queue" && need(1)) {
    auto info = client.GetQueueAttributes(p[1]);
    if (!info.ok()) return Fail(info.status(), args.json);
    ordered_json j = {
        {"name", info->name},
        {"active_messages", info->active_messages},
        {"inactive_messages", info->inactive_messages},
        {"delay_messages", info->delay_messages},
        {"visibility_timeout", info->visibility_timeout},
        {"delay_seconds", info->delay_seconds},
        {"maximum_message_size", info->maximum_message_size},
        {"message_retention_period", info->message_retention_period},
        {"polling_wait_seconds", info->polling_wait_seconds},
        {"logging_enabled", info->logging_enabled},
        {"create_time", mns::FormatIso8601(info->create_time)},
        {"last_modify_time", mns::FormatIso8601(info->last_modify_time)}};
    if (args.json) {
      std::cout << j.dump(2) << "\n";
    } else {
      for (const auto& [key, value] : j.items()) {
        std::cout << key << ": "
                  << (value.is_string() ? value.get<std::string>()
                                        : value.dump())
                  << "\n";
      }
    }
    return 0;
  }
  if (command == "delete-queue" && need(1)) {
    mns::Status s = client.DeleteQueue(p[1]);
    return s.ok() ? 0 : Fail(s, args.json);
  }
  if (command == "list-queues" && need(0)) {
    auto it = args.flags.find("prefix");
    auto names = client.ListAllQueues(it == args.flags.end() ? "" : it->second);
    ordered_json list = ordered_json::array();
    while (auto name = names.Next()) {
      if (args.json) {
        list.push_back(*name);
      } else {
        std::cout << *name << "\n";
      }
    }
    if (!names.status().ok()) return Fail(names.status(), args.json);
    if (args.json) std::cout << list.dump(2) << "\n";
    return 0;
  }
  if (command == "send" && need(2)) {
    auto sent =
        client.SendMessage(p[1], {.body = p[2],
                                  .delay_seconds = IntFlag(args, "delay"),
                                  .priority = IntFlag(args, "priority")});
    if (!sent.ok()) return Fail(sent.status(), args.json);
    if (args.json) {
      ordered_json j = {{"message_id", sent->message_id},
                        {"body_md5", sent->body_md5}};
      if (!sent->receipt_handle.empty())
        j["receipt_handle"] = sent->receipt_handle;
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << sent->message_id << "\n";
    }
    return 0;
  }
  if ((command == "receive" || command == "peek") && need(1)) {
    const int count = static_cast<int>(IntFlag(args, "count").value_or(1));
    auto wait = IntFlag(args, "wait");
    auto got = command == "receive"
                   ? client.BatchReceiveMessage(
                         p[1], count,
                         wait ? std::optional<int>(static_cast<int>(*wait))
                              : std::nullopt)
                   : client.BatchPeekMessage(p[1], count);
    if (!got.ok()) return Fail(got.status(), args.json);
    PrintMessages(*got, args.json);
    return 0;
  }
  if (command == "delete" && need(2)) {
    mns::Status s = client.DeleteMessage(p[1], p[2]);
    return s.ok() ? 0 : Fail(s, args.json);
  }
  if (command == "change-visibility" && need(3)) {
    auto changed = client.ChangeMessageVisibility(p[1], p[2], std::stoi(p[3]));
    if (!changed.ok()) return Fail(changed.status(), args.json);
    if (args.json) {
      std::cout << ordered_json{{"receipt_handle", changed->receipt_handle},
                                {"next_visible_time",
                                 mns::FormatIso8601(
                                     changed->next_visible_time)}}
                       .dump(2)
                << "\n";
    } else {
      std::cout << changed->receipt_handle << "\n";
    }
    return 0;
  }
  return Usage("unknown command or wrong number of arguments: " + command);
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (auto problem = mns::tools::ParseCommandLine(argc, argv, {"json", "raw"},
                                                  {"endpoint",
                                                   "access-key-id",
                                                   "access-key-secret",
                                                   "security-token",
                                                   "delay",
                                                   "max-size",
                                                   "retention",
                                                   "visibility-timeout",
                                                   "polling-wait",
                                                   "logging",
                                                   "prefix",
                                                   "priority",
                                                   "wait",
                                                   "count",
                                                   "tag",
                                                   "direct-sms",
                                                   "direct-mail",
                                                   "strategy",
                                                   "format",
                                                   "filter-tag",
                                                   "ca-file",
                                                   "resolve"},
                                                  args)) {
    return Usage(*problem);
  }
  if (args.help) {
    std::cout << kUsage;
    return 0;
  }
  args.json = args.Has("json");
  args.raw = args.Has("raw");
  if (args.positional.empty()) return Usage("no command");
  mns::ClientOptions options{
      .endpoint = args.Get("endpoint", "MNS_ENDPOINT", "http://127.0.0.1:9876"),
      .credentials = mns::MakeStaticCredentials(
          args.Get("access-key-id", "MNS_ACCESS_KEY_ID", "mns-emulator-key"),
          args.Get("access-key-secret", "MNS_ACCESS_KEY_SECRET",
                   "mns-emulator-secret"),
          args.Get("security-token", "MNS_SECURITY_TOKEN", "")),
      .base64_bodies = !args.raw};
  if (auto problem =
          mns::tools::ApplyHttpsFlags(args, "MNS_CA_FILE", options)) {
    return Usage(*problem);
  }
  for (const char* global : {"endpoint", "access-key-id", "access-key-secret",
                             "security-token", "ca-file", "resolve"}) {
    args.flags.erase(global);
  }
  mns::MnsClient client(options);
  mns::TopicClient topics(options);
  try {
    if (auto done = RunTopic(topics, args)) return *done;
    return Run(client, args);
  } catch (const std::exception& e) {  // std::stoll on a bad number
    return Usage(std::string("bad number: ") + e.what());
  }
}
