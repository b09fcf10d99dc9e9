// Fault rules, the request journal and the request log, over real HTTP on
// loopback: each action as a client sees it, the state it leaves behind,
// and what the journal and the log record (and never record).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"
#include "emulator/testing/pop_test_client.h"
#include "emulator/testing/raw_connection.h"
#include "mns/common/clock.h"

namespace mns::emulator {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using testutil::CompactXml;
using testutil::MnsTestClient;
using testutil::PopTestClient;
using testutil::RawConnection;
using testutil::Reply;
using testutil::TestKeyPair;

constexpr char kReportQueue[] = "Alicom-Queue-1234567890123456-SmsReport";
constexpr char kXmlDeclaration[] = R"(<?xml version="1.0" encoding="UTF-8"?>)";

std::string SendBody(const std::string& text) {
  return "<Message><MessageBody>" + text + "</MessageBody></Message>";
}

class FaultServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(DefaultConfig()); }

  void Start(EmulatorConfig config) {
    client_.reset();
    server_.reset();
    config.port = 0;
    config.seed = 5;
    config.frozen_clock_ms = 1'704'074'400'000;
    auto server = Server::Start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<MnsTestClient>(server_->port());
    control_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }

  // Adds a fault rule; returns it as the emulator stored it.
  json AddFault(const std::string& rule) {
    auto reply = control_->Post("/_emulator/faults", rule, "application/json");
    EXPECT_EQ(reply->status, 201) << reply->body;
    return json::parse(reply->body);
  }

  json Faults() {
    return json::parse(control_->Get("/_emulator/faults")->body)["rules"];
  }

  json Journal(const std::string& query = "") {
    auto reply = control_->Get("/_emulator/requests" + query);
    EXPECT_EQ(reply->status, 200) << reply->body;
    return json::parse(reply->body)["requests"];
  }

  Reply Call(const std::string& method, const std::string& target,
             const std::string& body = "") {
    return client_->Call(method, target, body);
  }

  void CreateQueue(const std::string& name) {
    ASSERT_EQ(Call("PUT", "/queues/" + name).status, 201);
  }

  // Sends `body`, then receives it; returns the receive's reply.
  Reply SendAndReceive(const std::string& queue, const std::string& body) {
    EXPECT_EQ(
        Call("POST", "/queues/" + queue + "/messages", SendBody(body)).status,
        201);
    return Call("GET", "/queues/" + queue + "/messages");
  }

  // A temporary token for the SmsReport queue, as QueryTokenForMnsQueue
  // gives it, and a client that signs with it.
  json IssueToken() {
    PopTestClient pop(server_->port());
    return pop.Call("QueryTokenForMnsQueue", {{"MessageType", "SmsReport"}})
        .json["MessageTokenDTO"];
  }
  MnsTestClient TokenClient(const json& token) {
    return MnsTestClient(server_->port(), {.id = token["AccessKeyId"],
                                           .secret = token["AccessKeySecret"]});
  }

  int64_t ActiveMessages(const std::string& queue) {
    return std::stoll(Call("GET", "/queues/" + queue).Xml("ActiveMessages"));
  }

  // What the emulator answers on a fresh raw connection to `raw_request`,
  // read until it closes.
  std::string RawExchange(const std::string& raw_request) {
    RawConnection connection(server_->port());
    EXPECT_TRUE(connection.Send(raw_request));
    return connection.ReadToClose();
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<MnsTestClient> client_;
  std::unique_ptr<httplib::Client> control_;
  SystemClock real_clock_;
};

// --- error -------------------------------------------------------------------

TEST_F(FaultServerTest, ErrorFailsTheNextMatchesInMnsShapeThenPasses) {
  CreateQueue("orders");
  CreateQueue("invoices");
  AddFault(R"({"operation":"ReceiveMessage","queue":"orders","times":2,
               "error":"ServiceUnavailable"})");
  for (int i = 0; i < 2; ++i) {
    Reply failed = Call("GET", "/queues/orders/messages");
    EXPECT_EQ(failed.status, 503);
    EXPECT_EQ(failed.Header("Content-Type"), "text/xml;charset=utf-8");
    const std::string id = failed.Header("x-mns-request-id");
    EXPECT_THAT(id, MatchesRegex("[0-9A-F]{24}"));
    EXPECT_EQ(CompactXml(failed.body),
              std::string(kXmlDeclaration) +
                  R"(<Error xmlns="http://mns.aliyuncs.com/doc/v1">)"
                  "<Code>ServiceUnavailable</Code>"
                  "<Message>The service is temporarily unavailable.</Message>"
                  "<RequestId>" +
                  id + "</RequestId><HostId>http://127.0.0.1:" +
                  std::to_string(server_->port()) + "</HostId></Error>");
  }
  // Another queue and another operation were never matched.
  EXPECT_EQ(Call("GET", "/queues/invoices/messages").ErrorCode(),
            "MessageNotExist");
  EXPECT_EQ(Call("GET", "/queues/orders").status, 200);
  // Spent: the third receive is answered normally.
  EXPECT_EQ(Call("GET", "/queues/orders/messages").ErrorCode(),
            "MessageNotExist");
}

TEST_F(FaultServerTest, WellKnownCodesTakeTheirCloudStatusAndText) {
  CreateQueue("q");
  struct Case {
    const char* code;
    int status;
  } cases[] = {{"InternalError", 500},        {"ServiceUnavailable", 503},
               {"QpsLimitExceeded", 403},     {"SecurityTokenExpired", 403},
               {"QueueNotExist", 404},        {"MessageNotExist", 404},
               {"SignatureDoesNotMatch", 403}};
  for (const Case& c : cases) {
    AddFault(std::string(R"({"operation":"GetQueueAttributes","error":")") +
             c.code + "\"}");
    Reply reply = Call("GET", "/queues/q");
    EXPECT_EQ(reply.status, c.status) << c.code;
    EXPECT_EQ(reply.ErrorCode(), c.code);
    EXPECT_THAT(reply.Xml("Message"), Not(testing::IsEmpty())) << c.code;
  }
  // "Interal", as the cloud spells it.
  AddFault(R"({"error":"InternalError"})");
  EXPECT_EQ(Call("GET", "/queues/q").Xml("Message"), "Interal error.");
  // A given status and message win.
  AddFault(
      R"({"error":{"code":"Custom","status":502,"message":"bad gateway"}})");
  Reply custom = Call("GET", "/queues/q");
  EXPECT_EQ(custom.status, 502);
  EXPECT_EQ(custom.ErrorCode(), "Custom");
  EXPECT_EQ(custom.Xml("Message"), "bad gateway");
}

TEST_F(FaultServerTest, PopErrorsComeInTheGatewayShape) {
  PopTestClient pop(server_->port());
  AddFault(R"({"protocol":"pop","operation":"SendSms",
               "error":"Throttling.User"})");
  auto throttled = pop.Call("SendSms", {{"PhoneNumbers", "13800000000"},
                                        {"SignName", "s"},
                                        {"TemplateCode", "SMS_1"}});
  EXPECT_EQ(throttled.status, 400);
  EXPECT_EQ(throttled.json["Code"], "Throttling.User");
  EXPECT_EQ(throttled.json["Message"],
            "Request was denied due to user flow control.");
  EXPECT_THAT(throttled.json["RequestId"].get<std::string>(),
              MatchesRegex("[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-"
                           "[0-9A-F]{12}"));
  EXPECT_EQ(throttled.json["HostId"],
            "127.0.0.1:" + std::to_string(server_->port()));
  EXPECT_THAT(throttled.json["Recommend"].get<std::string>(),
              HasSubstr("q=Throttling.User&product=Dysmsapi"));
  EXPECT_EQ(throttled.headers.find("x-acs-request-id")->second,
            throttled.json["RequestId"]);
  // XML when the call asked for XML.
  AddFault(R"({"operation":"QueryTokenForMnsQueue","error":"InternalError"})");
  auto xml = pop.Call("QueryTokenForMnsQueue",
                      {{"MessageType", "SmsReport"}, {"Format", "XML"}});
  EXPECT_EQ(xml.status, 500);
  EXPECT_THAT(xml.body, HasSubstr("<Error><RequestId>"));
  EXPECT_THAT(xml.body, HasSubstr("<Code>InternalError</Code>"));
  // And the next call passes.
  EXPECT_EQ(pop.Call("QueryTokenForMnsQueue", {{"MessageType", "SmsReport"}})
                .json["Code"],
            "OK");
}

// --- delay, drop, drop_after_commit, truncate, stall -------------------------

TEST_F(FaultServerTest, DelayAnswersNormallyAfterTheDelay) {
  CreateQueue("q");
  AddFault(R"({"operation":"GetQueueAttributes","delay_ms":300})");
  const TimePoint start = real_clock_.Now();
  EXPECT_EQ(Call("GET", "/queues/q").status, 200);
  EXPECT_GE(real_clock_.Now() - start, std::chrono::milliseconds(300));
  // The I/O thread was not the one sleeping: others were served meanwhile.
  AddFault(R"({"operation":"GetQueueAttributes","delay_ms":1000})");
  std::atomic<bool> slow_answered{false};
  std::thread slow([&] {
    MnsTestClient other(server_->port());
    EXPECT_EQ(other.Call("GET", "/queues/q").status, 200);
    slow_answered = true;
  });
  // Once the delayed request is in (the rule fired), another is answered
  // while it still waits.
  while (Faults()[1]["fired"] == 0) std::this_thread::yield();
  EXPECT_EQ(Call("PUT", "/queues/q2").status, 201);
  EXPECT_FALSE(slow_answered);
  slow.join();
}

TEST_F(FaultServerTest, DropClosesWithNoAnswerAndNothingHappens) {
  CreateQueue("q");
  AddFault(R"({"operation":"SendMessage","drop":true})");
  EXPECT_EQ(RawExchange(client_->RawRequest("POST", "/queues/q/messages",
                                            SendBody("lost"))),
            "");
  EXPECT_EQ(ActiveMessages("q"), 0);
}

TEST_F(FaultServerTest, DropAfterCommitLeavesTheCommittedState) {
  CreateQueue("q");
  // SendMessage: the message is there though the client heard nothing.
  AddFault(R"({"operation":"SendMessage","drop_after_commit":true})");
  EXPECT_EQ(RawExchange(client_->RawRequest("POST", "/queues/q/messages",
                                            SendBody("kept"))),
            "");
  EXPECT_EQ(ActiveMessages("q"), 1);

  // DeleteMessage: gone, and deleting again is what a retrying client sees.
  Reply received = Call("GET", "/queues/q/messages");
  const std::string handle = received.Xml("ReceiptHandle");
  AddFault(R"({"operation":"DeleteMessage","drop_after_commit":true})");
  EXPECT_EQ(RawExchange(client_->RawRequest(
                "DELETE", "/queues/q/messages?ReceiptHandle=" + handle)),
            "");
  EXPECT_EQ(Call("GET", "/queues/q").Xml("InactiveMessages"), "0");
  EXPECT_EQ(
      Call("DELETE", "/queues/q/messages?ReceiptHandle=" + handle).ErrorCode(),
      "MessageNotExist");

  // BatchDeleteMessage: every handle deleted.
  for (const char* body : {"a", "b"}) {
    Call("POST", "/queues/q/messages", SendBody(body));
  }
  Reply batch = Call("GET", "/queues/q/messages?numOfMessages=2");
  std::string handles;
  for (size_t at = batch.body.find("<ReceiptHandle>"); at != std::string::npos;
       at = batch.body.find("<ReceiptHandle>", at + 1)) {
    const size_t start = at + 15;
    handles += "<ReceiptHandle>" +
               batch.body.substr(start, batch.body.find('<', start) - start) +
               "</ReceiptHandle>";
  }
  AddFault(R"({"operation":"BatchDeleteMessage","drop_after_commit":true})");
  EXPECT_EQ(RawExchange(client_->RawRequest(
                "DELETE", "/queues/q/messages",
                R"(<ReceiptHandles xmlns="http://mns.aliyuncs.com/doc/v1/">)" +
                    handles + "</ReceiptHandles>")),
            "");
  Reply attributes = Call("GET", "/queues/q");
  EXPECT_EQ(attributes.Xml("ActiveMessages"), "0");
  EXPECT_EQ(attributes.Xml("InactiveMessages"), "0");
}

TEST_F(FaultServerTest, TruncateSendsTheHeadAndPartOfTheBody) {
  CreateQueue("q");
  AddFault(R"({"operation":"GetQueueAttributes","truncate":true})");
  const std::string got = RawExchange(client_->RawRequest("GET", "/queues/q"));
  ASSERT_THAT(got, HasSubstr("HTTP/1.1 200 OK\r\n"));
  const size_t head_end = got.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string length_header = "Content-Length: ";
  const size_t at = got.find(length_header);
  ASSERT_NE(at, std::string::npos);
  const size_t declared = std::stoul(got.substr(at + length_header.size()));
  const size_t arrived = got.size() - head_end - 4;
  EXPECT_GT(arrived, 0u);
  EXPECT_LT(arrived, declared);
}

TEST_F(FaultServerTest, StallHoldsTheRequestUpToTheCapThenCloses) {
  EmulatorConfig config = DefaultConfig();
  config.fault_stall_cap_ms = 400;
  Start(config);
  CreateQueue("q");
  AddFault(R"({"operation":"GetQueueAttributes","stall":true})");
  const TimePoint start = real_clock_.Now();
  EXPECT_EQ(RawExchange(client_->RawRequest("GET", "/queues/q")), "");
  EXPECT_GE(real_clock_.Now() - start, std::chrono::milliseconds(400));
}

TEST_F(FaultServerTest, StopReleasesAStallAtOnce) {
  EmulatorConfig config = DefaultConfig();
  config.fault_stall_cap_ms = 3'600'000;
  Start(config);
  CreateQueue("q");
  AddFault(R"({"operation":"GetQueueAttributes","stall":true})");
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.Send(client_->RawRequest("GET", "/queues/q")));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const TimePoint start = real_clock_.Now();
  server_->Stop();
  EXPECT_LT(real_clock_.Now() - start, std::chrono::seconds(5));
}

// --- duplicate, expire_token -----------------------------------------------

TEST_F(FaultServerTest, DuplicateDeliversTheMessageAgain) {
  CreateQueue("q");
  AddFault(R"({"queue":"q","duplicate":true,"times":0})");
  Reply first = SendAndReceive("q", "twice");
  ASSERT_EQ(first.status, 200);
  Reply second = Call("GET", "/queues/q/messages");
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(second.Xml("MessageId"), first.Xml("MessageId"));
  EXPECT_EQ(second.Xml("DequeueCount"), "2");
  // The first handle went stale, as after a visibility timeout; the second
  // deletes, and there is no third delivery.
  EXPECT_NE(Call("DELETE", "/queues/q/messages?ReceiptHandle=" +
                               first.Xml("ReceiptHandle"))
                .status,
            204);
  EXPECT_EQ(Call("DELETE", "/queues/q/messages?ReceiptHandle=" +
                               second.Xml("ReceiptHandle"))
                .status,
            204);
  EXPECT_EQ(Call("GET", "/queues/q/messages").ErrorCode(), "MessageNotExist");
}

TEST_F(FaultServerTest, ExpireTokenExpiresTheTemporaryTokenNow) {
  const json token = IssueToken();
  const std::string queue = kReportQueue;
  MnsTestClient temporary = TokenClient(token);
  auto call = [&] {
    return temporary.Call("GET", "/queues/" + queue + "/messages", "",
                          {{"security-token", token["SecurityToken"]}});
  };
  EXPECT_EQ(call().ErrorCode(), "MessageNotExist");
  AddFault(R"({"expire_token":true})");
  // Long-term keys are not matched; the token's next request is.
  EXPECT_EQ(Call("PUT", "/queues/mine").status, 201);
  Reply expired = call();
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(expired.ErrorCode(), "SecurityTokenExpired");
  EXPECT_EQ(call().ErrorCode(), "SecurityTokenExpired");  // for good
  const json again = IssueToken();
  EXPECT_EQ(TokenClient(again)
                .Call("GET", "/queues/" + queue + "/messages", "",
                      {{"security-token", again["SecurityToken"]}})
                .ErrorCode(),
            "MessageNotExist");
}

// --- accountability, controls, bad input
// ---------------------------------------

TEST_F(FaultServerTest, EachFiringIsRecordedAgainstItsRule) {
  CreateQueue("q");
  const json rule = AddFault(R"({"operation":"GetQueueAttributes","after":1,
                                  "times":2,"error":"InternalError"})");
  EXPECT_EQ(rule["id"], 1);
  EXPECT_EQ(rule["fired"], 0);
  std::vector<std::string> failed_ids;
  for (int i = 0; i < 4; ++i) {
    Reply reply = Call("GET", "/queues/q");
    if (reply.status == 500)
      failed_ids.push_back(reply.Header("x-mns-request-id"));
  }
  ASSERT_EQ(failed_ids.size(), 2u);
  const json listed = Faults()[0];
  EXPECT_EQ(listed["matched"], 3);
  EXPECT_EQ(listed["fired"], 2);
  EXPECT_EQ(listed["spent"], true);
  ASSERT_EQ(listed["hits"].size(), 2u);
  EXPECT_EQ(listed["hits"][0]["request_id"], failed_ids[0]);
  EXPECT_EQ(listed["hits"][1]["request_id"], failed_ids[1]);
  EXPECT_EQ(listed["hits"][0]["operation"], "GetQueueAttributes");
  // The journal names the rule too.
  const json failed = Journal("?status=500");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0]["fault_rule"], 1);
  EXPECT_EQ(failed[0]["fault_action"], "error");
}

TEST_F(FaultServerTest, RulesAreRemovedOneByOneOrAllAndByReset) {
  AddFault(R"({"drop":true,"queue":"a"})");
  AddFault(R"({"drop":true,"queue":"b"})");
  EXPECT_EQ(control_->Delete("/_emulator/faults/1")->status, 200);
  EXPECT_EQ(control_->Delete("/_emulator/faults/1")->status, 404);
  EXPECT_EQ(control_->Delete("/_emulator/faults/x")->status, 400);
  ASSERT_EQ(Faults().size(), 1u);
  EXPECT_EQ(Faults()[0]["queue"], "b");
  EXPECT_EQ(control_->Delete("/_emulator/faults")->status, 200);
  EXPECT_TRUE(Faults().empty());
  AddFault(R"({"drop":true})");
  Call("PUT", "/queues/q");  // dropped: status 0
  ASSERT_FALSE(Journal().empty());
  ASSERT_EQ(control_->Post("/_emulator/reset", "", "application/json")->status,
            200);
  EXPECT_TRUE(Faults().empty());
  EXPECT_TRUE(Journal().empty());
}

TEST_F(FaultServerTest, ConfiguredRulesApplyFromStartAndAfterReset) {
  auto config = ParseConfig(R"({"faults": [
      {"operation": "CreateQueue", "error": "InternalError"}]})");
  ASSERT_TRUE(config.ok()) << config.status().message();
  Start(*config);
  EXPECT_EQ(Call("PUT", "/queues/q").status, 500);
  EXPECT_EQ(Call("PUT", "/queues/q").status, 201);
  control_->Post("/_emulator/reset", "", "application/json");
  EXPECT_EQ(Call("PUT", "/queues/q").status, 500);

  auto bad = ParseConfig(R"({"faults": [{"drop": true, "oops": 1}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("$.faults[0]"));
  EXPECT_THAT(bad.status().message(), HasSubstr("unknown field oops"));
}

TEST_F(FaultServerTest, BadRulesAndQueriesAre400NamingTheProblem) {
  auto refused = [&](const std::string& body) {
    auto reply = control_->Post("/_emulator/faults", body, "application/json");
    EXPECT_EQ(reply->status, 400) << body;
    return json::parse(reply->body)["error"].get<std::string>();
  };
  EXPECT_THAT(refused(R"({"drop":true,"qeue":"x"})"),
              HasSubstr("unknown field qeue"));
  EXPECT_THAT(refused(R"({"operation":"Receive","drop":true})"),
              HasSubstr("BatchReceiveMessage"));
  EXPECT_THAT(refused(R"({"drop":true,"delay_ms":5})"),
              HasSubstr("exactly one action"));
  EXPECT_THAT(refused("not json"), HasSubstr("JSON"));
  EXPECT_TRUE(Faults().empty());
  auto bad_query = control_->Get("/_emulator/requests?limit=-3");
  EXPECT_EQ(bad_query->status, 400);
  EXPECT_THAT(bad_query->body, HasSubstr("limit"));
}

// --- the journal and the log ---------------------------------------------

TEST_F(FaultServerTest, TheJournalRecordsWhatClientsDid) {
  CreateQueue("q");
  Reply received = SendAndReceive("q", "hello");
  Call("DELETE",
       "/queues/q/messages?ReceiptHandle=" + received.Xml("ReceiptHandle"));
  AddFault(R"({"operation":"ReceiveMessage","delay_ms":200})");
  Call("GET", "/queues/q/messages");  // 200 ms late, then 404
  const json all = Journal();
  ASSERT_EQ(all.size(), 5u);
  std::vector<std::string> operations;
  for (const json& e : all) operations.push_back(e["operation"]);
  EXPECT_THAT(operations, testing::ElementsAre(
                              "CreateQueue", "SendMessage", "ReceiveMessage",
                              "DeleteMessage", "ReceiveMessage"));
  const json& send = all[1];
  EXPECT_EQ(send["protocol"], "mns");
  EXPECT_EQ(send["queue"], "q");
  EXPECT_EQ(send["status"], 201);
  EXPECT_EQ(send["account"], "1234567890123456");
  EXPECT_EQ(send["access_key_id"], "mns-emulator-key");
  EXPECT_EQ(send["temporary_key"], false);
  EXPECT_THAT(send["request_id"].get<std::string>(),
              MatchesRegex("[0-9A-F]{24}"));
  EXPECT_GT(send["bytes_in"].get<int>(), 0);
  EXPECT_GT(send["connection_id"].get<int>(), 0);
  EXPECT_FALSE(send.contains("request_body"));  // no bodies by default
  const json& waited = all[4];
  EXPECT_EQ(waited["status"], 404);
  EXPECT_EQ(waited["error_code"], "MessageNotExist");
  EXPECT_GE(waited["latency_ms"].get<double>(), 200);
  EXPECT_EQ(waited["fault_action"], "delay_ms");
  // Filters, since, and the summary.
  EXPECT_EQ(Journal("?operation=ReceiveMessage").size(), 2u);
  EXPECT_EQ(Journal("?code=MessageNotExist").size(), 1u);
  EXPECT_EQ(Journal("?since=3").size(), 2u);
  const json summary =
      json::parse(control_->Get("/_emulator/requests/summary")->body);
  EXPECT_EQ(summary["operations"]["ReceiveMessage"]["200"], 1);
  EXPECT_EQ(summary["operations"]["ReceiveMessage"]["404"], 1);
  EXPECT_EQ(control_->Delete("/_emulator/requests")->status, 200);
  EXPECT_TRUE(Journal().empty());
}

TEST_F(FaultServerTest, TheJournalSaysWhichSendALookupWasFor) {
  PopTestClient pop(server_->port());
  pop.Call("QuerySendDetails", {{"PhoneNumber", "13800000000"},
                                {"SendDate", "20240101"},
                                {"PageSize", "10"},
                                {"CurrentPage", "1"},
                                {"BizId", "123456789012345678^0"}});
  // Not UTF-8: refused, and still journaled as readable JSON.
  pop.Call("QuerySendDetails",
           {{"PhoneNumber", "13800000001"}, {"BizId", "\xFF"}});
  const json lookups = Journal("?operation=QuerySendDetails");
  ASSERT_EQ(lookups.size(), 2u);
  EXPECT_EQ(lookups[0]["biz_id"], "123456789012345678^0");
  EXPECT_EQ(lookups[0]["phone_number"], "13800000000");
  EXPECT_EQ(lookups[0]["status"], 200);
  EXPECT_EQ(lookups[1]["phone_number"], "13800000001");
  EXPECT_EQ(lookups[1]["biz_id"], "\xEF\xBF\xBD");  // U+FFFD
  EXPECT_EQ(lookups[1]["status"], 400);
  // Other operations carry no lookup fields.
  pop.Call("QueryTokenForMnsQueue", {{"MessageType", "SmsReport"}});
  EXPECT_FALSE(
      Journal("?operation=QueryTokenForMnsQueue")[0].contains("biz_id"));
}

TEST_F(FaultServerTest, NoSecretReachesTheJournalOrTheLog) {
  EmulatorConfig config = DefaultConfig();
  config.journal_bodies = true;
  config.log_requests = true;
  config.log_debug = true;
  Start(config);
  testing::internal::CaptureStderr();
  const json token = IssueToken();
  const std::string queue = kReportQueue;
  MnsTestClient temporary = TokenClient(token);
  // The token in the header the other SDKs sign, and a wrong signature, so
  // that the debug log prints a string to sign that carries it.
  temporary.Call("GET", "/queues/" + queue + "/messages", "",
                 {{"x-mns-security-token", token["SecurityToken"]}});
  temporary.Call("GET", "/queues/" + queue + "/messages", "",
                 {{"x-mns-security-token", token["SecurityToken"]}},
                 {.id = token["AccessKeyId"], .secret = "wrong"});
  CreateQueue("q");
  Call("POST", "/queues/q/messages", SendBody("visible-body"));
  const std::string log = testing::internal::GetCapturedStderr();
  const std::string journal = Journal().dump();

  EXPECT_THAT(journal, HasSubstr("visible-body"));  // --journal-bodies
  EXPECT_THAT(log, HasSubstr("QueryTokenForMnsQueue"));
  EXPECT_THAT(log, HasSubstr("string to sign"));
  EXPECT_THAT(log, HasSubstr("x-mns-security-token:<redacted>"));
  for (const std::string& secret :
       {std::string("mns-emulator-secret"),
        token["AccessKeySecret"].get<std::string>(),
        token["SecurityToken"].get<std::string>()}) {
    EXPECT_THAT(journal, Not(HasSubstr(secret)));
    EXPECT_THAT(log, Not(HasSubstr(secret)));
  }
  // Nor a signature or any header: an entry has these fields and no other.
  EXPECT_THAT(journal, Not(HasSubstr("MNS mns-emulator-key:")));
  const std::set<std::string> fields = {
      "sequence",      "real_time",    "emulator_time", "protocol",
      "operation",     "account",      "access_key_id", "temporary_key",
      "queue",         "status",       "error_code",    "request_id",
      "latency_ms",    "fault_rule",   "bytes_in",      "bytes_out",
      "connection_id", "request_body", "response_body", "wait_seconds",
      "fault_action",  "topic",        "biz_id",        "phone_number"};
  for (const json& entry : Journal()) {
    for (const auto& [key, value] : entry.items()) {
      EXPECT_TRUE(fields.contains(key)) << key;
    }
  }
}

TEST_F(FaultServerTest, TheRequestLogIsOneLinePerRequest) {
  EmulatorConfig config = DefaultConfig();
  config.log_requests = true;
  Start(config);
  testing::internal::CaptureStderr();
  CreateQueue("q");
  Reply missing = Call("GET", "/queues/q/messages");
  const std::string log = testing::internal::GetCapturedStderr();
  EXPECT_THAT(log, MatchesRegex("(.|\n)*mns-emulator: [0-9T:.-]+Z CreateQueue "
                                "q 201 - [0-9.]+ms [0-9A-F]{24}\n(.|\n)*"));
  EXPECT_THAT(log, HasSubstr("ReceiveMessage q 404 MessageNotExist "));
  EXPECT_THAT(log, HasSubstr(missing.Header("x-mns-request-id")));
  // Off by default.
  Start(DefaultConfig());
  testing::internal::CaptureStderr();
  CreateQueue("q");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

// Rules added, removed and fired from many threads at once (the TSan build
// runs this).
TEST_F(FaultServerTest, RulesChangeSafelyWhileRequestsAreInFlight) {
  CreateQueue("q");
  std::atomic<bool> done{false};
  std::thread editor([&] {
    httplib::Client control("127.0.0.1", server_->port());
    while (!done) {
      auto added = control.Post(
          "/_emulator/faults",
          R"({"operation":"GetQueueAttributes","error":"InternalError"})",
          "application/json");
      if (!added || added->status != 201) continue;
      const auto id = json::parse(added->body)["id"].get<int64_t>();
      control.Get("/_emulator/faults");
      control.Delete("/_emulator/faults/" + std::to_string(id));
    }
  });
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int t = 0; t < 3; ++t) {
    clients.emplace_back([&] {
      MnsTestClient client(server_->port());
      for (int i = 0; i < 100; ++i) {
        const int status = client.Call("GET", "/queues/q").status;
        if (status == 200 || status == 500) ++answered;
      }
    });
  }
  for (auto& c : clients) c.join();
  done = true;
  editor.join();
  EXPECT_EQ(answered, 300);
  EXPECT_EQ(Journal("?operation=GetQueueAttributes&limit=100000").size(), 300u);
}

}  // namespace
}  // namespace mns::emulator
