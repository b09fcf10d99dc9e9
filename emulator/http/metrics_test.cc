// The metrics: the exposition writer against the text format's rules, the
// strict parser the tests read it with (and where that parser refuses), and
// GET /_emulator/metrics over real HTTP after real traffic.
#include "emulator/http/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"
#include "emulator/testing/pop_test_client.h"
#include "emulator/testing/prometheus_text.h"

namespace mns::emulator {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using testutil::Exposition;
using testutil::MnsTestClient;
using testutil::ParsePrometheusText;
using testutil::PopTestClient;

constexpr char kAccount[] = "1234567890123456";  // the default key's

Exposition Parse(const std::string& text) {
  StatusOr<Exposition> parsed = ParsePrometheusText(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status() << "\n" << text;
  return parsed.ok() ? *std::move(parsed) : Exposition{};
}

// mns_emulator_requests_total for one protocol, operation, status and code.
double Requests(const Exposition& metrics, const std::string& protocol,
                const std::string& operation, int status,
                const std::string& code) {
  return metrics.Value("mns_emulator_requests_total",
                       {{"protocol", protocol},
                        {"operation", operation},
                        {"status", std::to_string(status)},
                        {"code", code}});
}

// --- The writer -------------------------------------------------------------

TEST(PrometheusTextTest, ValuesAreWrittenAsTheFormatReadsThem) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(1'000'000), "1000000");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(0.25), "0.25");
  EXPECT_EQ(FormatMetricValue(1e-4), "0.0001");
  EXPECT_EQ(FormatMetricValue(1e300), "1e+300");
  EXPECT_EQ(FormatMetricValue(INFINITY), "+Inf");
  EXPECT_EQ(FormatMetricValue(-INFINITY), "-Inf");
  EXPECT_EQ(FormatMetricValue(NAN), "NaN");
}

TEST(PrometheusTextTest, LabelValuesAndHelpAreEscapedAndReadBack) {
  PrometheusText out;
  out.Family("queue_messages", "gauge", "Help with a \\ and a\nnewline.");
  const std::string hostile = "a\\b\"c\nd}{,=";
  out.Sample("queue_messages", {{"queue", hostile}, {"state", "Active"}}, 7);
  EXPECT_THAT(out.text(), HasSubstr(R"(queue="a\\b\"c\nd}{,=")"));
  Exposition parsed = Parse(out.text());
  EXPECT_EQ(parsed.families["queue_messages"].help,
            "Help with a \\ and a\nnewline.");
  EXPECT_EQ(
      parsed.Value("queue_messages", {{"queue", hostile}, {"state", "Active"}}),
      7);
}

TEST(PrometheusTextTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Histogram histogram;
  for (double seconds : {0.00005, 0.003, 0.003, 2.0, 100.0}) {
    histogram.Observe(seconds);
  }
  PrometheusText out;
  out.Family("latency_seconds", "histogram", "Latency.");
  out.Buckets("latency_seconds", {{"operation", "SendMessage"}}, histogram);
  Exposition parsed = Parse(out.text());
  auto bucket = [&](const char* le) {
    return parsed.Value("latency_seconds_bucket",
                        {{"operation", "SendMessage"}, {"le", le}});
  };
  EXPECT_EQ(bucket("0.0001"), 1);
  EXPECT_EQ(bucket("0.0025"), 1);
  EXPECT_EQ(bucket("0.005"), 3);
  EXPECT_EQ(bucket("1"), 3);
  EXPECT_EQ(bucket("5"), 4);
  EXPECT_EQ(bucket("30"), 4);
  EXPECT_EQ(bucket("+Inf"), 5);  // 100 s is beyond every bound
  EXPECT_EQ(
      parsed.Value("latency_seconds_count", {{"operation", "SendMessage"}}), 5);
  EXPECT_DOUBLE_EQ(
      parsed.Value("latency_seconds_sum", {{"operation", "SendMessage"}}),
      0.00005 + 0.003 + 0.003 + 2.0 + 100.0);
}

TEST(PrometheusTextTest, NamesOutsideTheAlphabetAreRefused) {
  PrometheusText out;
  EXPECT_THROW(out.Family("2xx", "counter", ""), std::invalid_argument);
  EXPECT_THROW(out.Family("a-b", "counter", ""), std::invalid_argument);
  EXPECT_THROW(out.Family("ok", "summary_of", ""), std::invalid_argument);
  EXPECT_THROW(out.Sample("ok", {{"__reserved", "x"}}, 1),
               std::invalid_argument);
  EXPECT_THROW(out.Sample("ok", {{"a:b", "x"}}, 1), std::invalid_argument);
  EXPECT_NO_THROW(out.Family("ns:sub_total", "counter", ""));
}

TEST(RequestMetricsTest, CountsByProtocolOperationStatusAndCode) {
  RequestMetrics metrics;
  metrics.RecordRequest("mns", "SendMessage", 201, "",
                        std::chrono::microseconds(300));
  metrics.RecordRequest("mns", "SendMessage", 201, "",
                        std::chrono::microseconds(300));
  metrics.RecordRequest("mns", "SendMessage", 404, "QueueNotExist",
                        std::chrono::milliseconds(2));
  metrics.RecordWake(std::chrono::microseconds(50));
  PrometheusText out;
  metrics.Write(out);
  Exposition parsed = Parse(out.text());
  EXPECT_EQ(Requests(parsed, "mns", "SendMessage", 201, ""), 2);
  EXPECT_EQ(Requests(parsed, "mns", "SendMessage", 404, "QueueNotExist"), 1);
  EXPECT_EQ(parsed.Value("mns_emulator_request_duration_seconds_count",
                         {{"protocol", "mns"}, {"operation", "SendMessage"}}),
            3);
  EXPECT_EQ(parsed.Value("mns_emulator_long_poll_wake_seconds_bucket",
                         {{"le", "0.0001"}}),
            1);
}

// --- The parser refuses what a scraper could reject or misread ---------------

struct Broken {
  const char* what;
  const char* text;
  const char* error;
};

class BrokenExpositionTest : public ::testing::TestWithParam<Broken> {};

TEST_P(BrokenExpositionTest, IsRefusedNamingTheRule) {
  StatusOr<Exposition> parsed = ParsePrometheusText(GetParam().text);
  ASSERT_FALSE(parsed.ok()) << GetParam().what;
  EXPECT_THAT(parsed.status().message(), HasSubstr(GetParam().error))
      << GetParam().what;
}

constexpr char kHeader[] = "# HELP x X.\n# TYPE x counter\n";

INSTANTIATE_TEST_SUITE_P(
    Rules, BrokenExpositionTest,
    ::testing::Values(
        Broken{"no final newline", "# HELP x X.\n# TYPE x gauge\nx 1",
               "does not end with \\n"},
        Broken{"no TYPE", "# HELP x X.\nx 1\n", "has no TYPE line before it"},
        Broken{"no HELP", "# TYPE x gauge\nx 1\n", "x has no HELP line"},
        Broken{"TYPE after the samples",
               "# HELP x X.\nx_total 1\n# TYPE x counter\n",
               "x_total has no TYPE"},
        Broken{"two TYPEs", "# HELP x X.\n# TYPE x gauge\n# TYPE x gauge\n",
               "a second TYPE"},
        Broken{"two HELPs", "# HELP x X.\n# HELP x X.\n# TYPE x gauge\n",
               "a second HELP"},
        Broken{"unknown type", "# HELP x X.\n# TYPE x meter\n",
               "not a metric type"},
        Broken{"bad metric name", "# HELP x X.\n# TYPE x gauge\nx-y 1\n",
               "no blank between"},
        Broken{"name starting with a digit", "# HELP 1x X.\n",
               "HELP without a name"},
        Broken{"reserved label",
               "# HELP x X.\n# TYPE x gauge\nx{__a=\"1\"} 1\n", "reserved"},
        Broken{"label twice",
               "# HELP x X.\n# TYPE x gauge\nx{a=\"1\",a=\"2\"} 1\n",
               "the label a twice"},
        Broken{"unquoted label value",
               "# HELP x X.\n# TYPE x gauge\nx{a=1} 1\n", "not quoted"},
        Broken{"unclosed label value",
               "# HELP x X.\n# TYPE x gauge\nx{a=\"1} 1\n", "unclosed"},
        Broken{"unknown escape",
               "# HELP x X.\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",
               "an escape the format does not have"},
        Broken{"unknown escape in HELP", "# HELP x a \\\" b\n",
               "an escape the format does not have"},
        Broken{"bad value", "# HELP x X.\n# TYPE x gauge\nx one\n",
               "not a value"},
        Broken{"lowercase inf", "# HELP x X.\n# TYPE x gauge\nx inf\n",
               "not a value"},
        Broken{"bad timestamp", "# HELP x X.\n# TYPE x gauge\nx 1 soon\n",
               "not a timestamp"},
        Broken{"negative counter", "# HELP x X.\n# TYPE x counter\nx -1\n",
               "the counter x"},
        Broken{"a series twice",
               "# HELP x X.\n# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n",
               "a second sample of the same series"},
        Broken{"families interleaved",
               "# HELP x X.\n# TYPE x gauge\n# HELP y Y.\n# TYPE y gauge\n"
               "x 1\n",
               "are not together"},
        Broken{"histogram without +Inf",
               "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
               "h_sum 1\nh_count 1\n",
               "no le=\"+Inf\" bucket"},
        Broken{"histogram not cumulative",
               "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
               "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
               "not cumulative"},
        Broken{"histogram buckets out of order",
               "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"2\"} 1\n"
               "h_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\n"
               "h_count 1\n",
               "ascending le order"},
        Broken{"histogram count not +Inf",
               "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
               "h_sum 1\nh_count 3\n",
               "_count is not its +Inf bucket"},
        Broken{"histogram without _sum",
               "# HELP h H.\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\n"
               "h_count 2\n",
               "lacks _sum"},
        Broken{"bucket without le",
               "# HELP h H.\n# TYPE h histogram\nh_bucket 2\nh_sum 1\n"
               "h_count 2\n",
               "without an le label"}));

TEST(PrometheusTextParserTest, AcceptsWhatTheFormatAllows) {
  // Comments, blank lines, a timestamp, a trailing comma in a label set,
  // exponents and the special values.
  Exposition parsed = Parse(
      "# a comment\n\n# HELP x X.\n# TYPE x gauge\n"
      "x{a=\"1\",} 1.5e3 1700000000000\nx{a=\"2\"} -Inf\nx{a=\"3\"} NaN\n");
  EXPECT_EQ(parsed.Value("x", {{"a", "1"}}), 1500);
  EXPECT_TRUE(std::isinf(parsed.Value("x", {{"a", "2"}})));
  EXPECT_TRUE(std::isnan(parsed.Value("x", {{"a", "3"}})));
  EXPECT_TRUE(std::isnan(parsed.Value("x", {{"a", "4"}})));  // none
}

// --- GET /_emulator/metrics after real traffic ------------------------------

class MetricsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EmulatorConfig config = DefaultConfig();
    config.port = 0;
    config.seed = 9;
    config.frozen_clock_ms = 1'704'074'400'000;
    auto server = Server::Start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<MnsTestClient>(server_->port());
    control_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  Exposition Scrape() {
    auto reply = control_->Get("/_emulator/metrics");
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->get_header_value("Content-Type"),
              "text/plain; version=0.0.4");
    return Parse(reply->body);
  }

  void Send(const std::string& queue, const std::string& extra = "") {
    ASSERT_EQ(client_
                  ->Call("POST", "/queues/" + queue + "/messages",
                         "<Message><MessageBody>b</MessageBody>" + extra +
                             "</Message>")
                  .status,
              201);
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<MnsTestClient> client_;
  std::unique_ptr<httplib::Client> control_;
};

TEST_F(MetricsServerTest, CountsWhatHappened) {
  ASSERT_EQ(client_->Call("PUT", "/queues/orders").status, 201);
  Send("orders");
  Send("orders");
  Send("orders");
  Send("orders", "<DelaySeconds>60</DelaySeconds>");
  ASSERT_EQ(client_->Call("GET", "/queues/orders/messages").status, 200);
  EXPECT_EQ(client_->Call("GET", "/queues/nowhere").ErrorCode(),
            "QueueNotExist");

  // A long poll parked on an empty queue, woken by a send.
  ASSERT_EQ(client_->Call("PUT", "/queues/idle").status, 201);
  std::jthread poll([port = server_->port()] {
    MnsTestClient poller(port);
    EXPECT_EQ(poller.Call("GET", "/queues/idle/messages?waitseconds=10").status,
              200);
  });
  while (server_->queues().ParkedReceives() == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(Scrape().Value("mns_emulator_parked_receives"), 1);
  Send("idle");
  poll.join();

  // A token, an SMS and its receipt, and a fault rule that fires once.
  PopTestClient pop(server_->port());
  ASSERT_EQ(
      pop.Call("QueryTokenForMnsQueue", {{"MessageType", "SmsReport"}}).status,
      200);
  ASSERT_EQ(pop.Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                 {"SignName", "s"},
                                 {"TemplateCode", "SMS_1"}})
                .json["Code"],
            "OK");
  ASSERT_EQ(control_
                ->Post("/_emulator/faults",
                       R"({"operation":"GetQueueAttributes","times":1,
                           "error":"InternalError"})",
                       "application/json")
                ->status,
            201);
  EXPECT_EQ(client_->Call("GET", "/queues/orders").status, 500);

  Exposition before = Scrape();
  EXPECT_EQ(Requests(before, "mns", "SendMessage", 201, ""), 5);
  EXPECT_EQ(Requests(before, "mns", "GetQueueAttributes", 404, "QueueNotExist"),
            1);
  EXPECT_EQ(Requests(before, "mns", "GetQueueAttributes", 500, "InternalError"),
            1);
  EXPECT_EQ(Requests(before, "pop", "SendSms", 200, ""), 1);
  EXPECT_EQ(before.Sum("mns_emulator_requests_total",
                       {{"protocol", "control"}, {"operation", "AddFault"}}),
            1);
  EXPECT_EQ(before.Sum("mns_emulator_request_duration_seconds_count",
                       {{"operation", "ReceiveMessage"}}),
            2);
  EXPECT_EQ(before.Value("mns_emulator_long_poll_wake_seconds_count"), 1);
  EXPECT_EQ(before.Value("mns_emulator_parked_receives"), 0);
  EXPECT_GE(before.Value("mns_emulator_open_connections"), 2);  // ours
  auto messages = [&](const Exposition& e, const char* queue,
                      const char* state) {
    return e.Value("mns_emulator_messages",
                   {{"account", kAccount}, {"queue", queue}, {"state", state}});
  };
  EXPECT_EQ(messages(before, "orders", "Active"), 2);
  EXPECT_EQ(messages(before, "orders", "Inactive"), 1);
  EXPECT_EQ(messages(before, "orders", "Delayed"), 1);
  EXPECT_EQ(messages(before, "idle", "Inactive"), 1);
  EXPECT_EQ(before.Value("mns_emulator_receipts_scheduled_total"), 1);
  EXPECT_EQ(before.Value("mns_emulator_receipts_delivered_total"), 0);
  EXPECT_EQ(before.Value("mns_emulator_receipts_pending"), 1);
  EXPECT_EQ(before.Value("mns_emulator_tokens_issued_total"), 1);
  EXPECT_EQ(before.Value("mns_emulator_tokens_expired"), 0);
  EXPECT_EQ(
      before.Sum("mns_emulator_fault_rule_fired_total", {{"action", "error"}}),
      1);  // spent, and still shown with what it did

  // Two hours later: the delayed message is visible, the received one is
  // back, the receipt is delivered and the token has expired.
  ASSERT_EQ(
      control_
          ->Post("/_emulator/clock", json{{"advance_seconds", 7200}}.dump(),
                 "application/json")
          ->status,
      200);
  Exposition after = Scrape();
  EXPECT_EQ(messages(after, "orders", "Active"), 4);
  EXPECT_EQ(messages(after, "orders", "Inactive"), 0);
  EXPECT_EQ(messages(after, "orders", "Delayed"), 0);
  EXPECT_EQ(after.Value("mns_emulator_receipts_delivered_total"), 1);
  EXPECT_EQ(after.Value("mns_emulator_receipts_pending"), 0);
  EXPECT_EQ(after.Value("mns_emulator_tokens_expired"), 1);
}

TEST_F(MetricsServerTest, FaultRulesInForceShowHowOftenTheyFired) {
  ASSERT_EQ(client_->Call("PUT", "/queues/q").status, 201);
  auto added = control_->Post("/_emulator/faults",
                              R"({"operation":"GetQueueAttributes","times":0,
                                  "error":"InternalError"})",
                              "application/json");
  ASSERT_EQ(added->status, 201);
  const std::string id =
      std::to_string(json::parse(added->body)["id"].get<int>());
  for (int i = 0; i < 3; ++i) client_->Call("GET", "/queues/q");
  EXPECT_EQ(Scrape().Value("mns_emulator_fault_rule_fired_total",
                           {{"rule", id}, {"action", "error"}}),
            3);
}

TEST_F(MetricsServerTest, EachScrapeIsCountedAfterItIsAnswered) {
  // Each scrape is itself a control request, counted after it is answered.
  Scrape();
  EXPECT_EQ(Requests(Scrape(), "control", "GetMetrics", 200, ""), 1);
}

TEST_F(MetricsServerTest, AScannerAddsNoSeriesWithoutEnd) {
  PopTestClient pop(server_->port());
  for (int i = 0; i < 20; ++i) {
    const std::string n = std::to_string(i);
    control_->Get("/_emulator/nothing-" + n);
    control_->Delete("/_emulator/faults/" + n);  // 404: no such rule
    client_->Call("GET", "/no/such/path/" + n);
    pop.Call("Action" + n, {});
  }
  Exposition scraped = Scrape();
  std::set<std::string> operations;
  for (const auto& sample :
       scraped.families["mns_emulator_requests_total"].samples) {
    operations.insert(sample.labels.at("operation"));
  }
  EXPECT_EQ(operations, (std::set<std::string>{"unknown", "RemoveFault"}));
}

}  // namespace
}  // namespace mns::emulator
