// MNS topics over real HTTP on loopback (spec topic §1-§4): every operation
// and its errors as the SDKs see them, a queue subscription round trip, and
// a real HTTP endpoint (an httplib server on port 0) that receives
// notifications and verifies them with the certificate the emulator serves,
// as the SDK samples do.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator/http/server.h"
#include "emulator/testing/mns_test_client.h"
#include "mns/common/crypto.h"
#include "mns/common/testing/eventually.h"
#include "mns/common/testing/http_receiver.h"
#include "mns/notification_verifier.h"

namespace mns::emulator {
namespace {

using ::nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using testutil::CompactXml;
using testutil::MnsTestClient;
using testutil::Reply;

constexpr char kAccount[] = "1234567890123456";
constexpr char kDeclaration[] = R"(<?xml version="1.0" encoding="UTF-8"?>)";

std::string TopicBody(const std::string& inner = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Topic xmlns="http://mns.aliyuncs.com/doc/v1/">)" +
         inner + "</Topic>";
}
std::string SubscriptionBody(const std::string& endpoint,
                             const std::string& more = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Subscription xmlns="http://mns.aliyuncs.com/doc/v1/"><Endpoint>)" +
         endpoint + "</Endpoint>" + more + "</Subscription>";
}
std::string PublishBody(const std::string& body, const std::string& more = "") {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1/"><MessageBody>)" +
         body + "</MessageBody>" + more + "</Message>";
}

// Verifies a push as the SDK samples' receivers do, with the client
// library's verifier (written apart from the emulator's signer): against
// the certificate at the URL the push names.
bool VerifiesAgainstItsCertificate(const httplib::Request& r) {
  const NotificationHeaders headers(r.headers.begin(), r.headers.end());
  const auto cert_url =
      Base64Decode(r.get_header_value("x-mns-signing-cert-url"));
  NotificationVerifier verifier(
      {.trusted_certificate_prefixes = {cert_url.value_or("none")}});
  return verifier.Verify("POST", r.target, headers, r.body).ok();
}

// A receiver that answers `status` to a push that verifies, 403 to one
// that does not (spec topic §4.3).
::mns::testutil::HttpReceiver::Answer VerifyingAnswer(int status = 204) {
  return [status](const httplib::Request& r) {
    return VerifiesAgainstItsCertificate(r) ? status : 403;
  };
}

class TopicServerTest : public ::testing::Test {
 protected:
  void SetUp() override { Start(DefaultConfig()); }
  void Start(EmulatorConfig config) {
    client_.reset();
    server_.reset();
    config.port = 0;
    config.seed = 21;
    config.frozen_clock_ms = 1'730'368'640'272;
    config.topics.http_timeout = std::chrono::seconds(2);
    auto server = Server::Start(std::move(config));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<MnsTestClient>(server_->port());
    control_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
  }
  std::string Host() const {
    return "127.0.0.1:" + std::to_string(server_->port());
  }
  Reply Call(const std::string& method, const std::string& target,
             const std::string& body = "", httplib::Headers extra = {}) {
    Reply reply = client_->Call(method, target, body, std::move(extra));
    EXPECT_NE(reply.status, 0) << method << " " << target;
    return reply;
  }
  void ExpectError(const Reply& reply, int status, const std::string& code) {
    EXPECT_EQ(reply.status, status) << reply.body;
    EXPECT_EQ(reply.ErrorCode(), code) << reply.body;
  }
  void CreateTopic(const std::string& name) {
    ASSERT_EQ(Call("PUT", "/topics/" + name, TopicBody()).status, 201);
  }
  void Subscribe(const std::string& topic, const std::string& name,
                 const std::string& endpoint, const std::string& more = "") {
    Reply r = Call("PUT", "/topics/" + topic + "/subscriptions/" + name,
                   SubscriptionBody(endpoint, more));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  json Notifications(const std::string& query = "") {
    auto reply = control_->Get("/_emulator/notifications" + query);
    EXPECT_EQ(reply->status, 200);
    return json::parse(reply->body)["notifications"];
  }
  // Waits for every delivery to settle (HTTP ones are made by workers).
  json Settled() {
    json all;
    ::mns::testutil::Eventually(
        [&] {
          all = Notifications();
          for (const json& d : all) {
            if (d["in_flight"]) return false;
          }
          return true;
        },
        std::chrono::seconds(20), Duration(10));
    return all;
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<MnsTestClient> client_;
  std::unique_ptr<httplib::Client> control_;
};

// --- topics ------------------------------------------------------------------

TEST_F(TopicServerTest, CreateTopicIsIdempotentAndNamesItsLocation) {
  // PHP ClientTest::testCreateTopicSync.
  ExpectError(Call("PUT", "/topics/sync",
                   TopicBody("<MaximumMessageSize>66560</MaximumMessageSize>")),
              400, "InvalidArgument");
  Reply created = Call("PUT", "/topics/sync", TopicBody());
  EXPECT_EQ(created.status, 201);
  EXPECT_EQ(created.Header("Location"), "http://" + Host() + "/topics/sync");
  Reply again = Call("PUT", "/topics/sync", "");
  EXPECT_EQ(again.status, 204);
  EXPECT_EQ(again.Header("Location"), "http://" + Host() + "/topics/sync");
  ExpectError(Call("PUT", "/topics/sync",
                   TopicBody("<MaximumMessageSize>10240</MaximumMessageSize>")),
              409, "TopicAlreadyExist");
  EXPECT_EQ(Call("PUT", "/topics/sync", "").Xml("Message"), "");
  Reply conflict = Call("PUT", "/topics/sync",
                        TopicBody("<LoggingEnabled>True</LoggingEnabled>"));
  EXPECT_EQ(conflict.Xml("Message"),
            "The topic you want to create is already exists.");
}

TEST_F(TopicServerTest, GetTopicAttributesHasTheSevenFieldsPrettyPrinted) {
  CreateTopic("t");
  ASSERT_EQ(Call("PUT", "/topics/t?metaoverride=true",
                 TopicBody("<LoggingEnabled>true</LoggingEnabled>"))
                .status,
            204);
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  Reply got = Call("GET", "/topics/t");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, std::string(kDeclaration) + R"(
<Topic xmlns="http://mns.aliyuncs.com/doc/v1">
  <TopicName>t</TopicName>
  <CreateTime>1730368640</CreateTime>
  <LastModifyTime>1730368640</LastModifyTime>
  <MaximumMessageSize>65536</MaximumMessageSize>
  <MessageRetentionPeriod>86400</MessageRetentionPeriod>
  <MessageCount>1</MessageCount>
  <LoggingEnabled>True</LoggingEnabled>
</Topic>
)");
  // An empty <Topic/> keeps what was set (PHP testLoggingEnabled).
  ASSERT_EQ(Call("PUT", "/topics/t?metaoverride=true", TopicBody()).status,
            204);
  EXPECT_EQ(Call("GET", "/topics/t").Xml("LoggingEnabled"), "True");
}

TEST_F(TopicServerTest, MissingTopicsAndBadNamesAnswerTheSpecsCodes) {
  ExpectError(Call("GET", "/topics/none"), 404, "TopicNotExist");
  EXPECT_EQ(Call("GET", "/topics/none").Xml("Message"),
            "The topic you provided does not exist.");
  ExpectError(Call("PUT", "/topics/none?metaoverride=true", TopicBody()), 404,
              "TopicNotExist");
  ExpectError(Call("POST", "/topics/none/messages", PublishBody("x")), 404,
              "TopicNotExist");
  ExpectError(Call("GET", "/topics/none/subscriptions"), 404, "TopicNotExist");
  ExpectError(Call("PUT", "/topics/" + std::string(257, 'a'), TopicBody()), 400,
              "TopicNameLengthError");
  ExpectError(Call("PUT", "/topics/bad_name", TopicBody()), 400,
              "TopicNameInvalid");
  ExpectError(Call("PUT", "/topics/t", "<Topic><Oops></Topic>"), 400,
              "MalformedXML");
  ExpectError(Call("PUT", "/topics/t", "<Queue/>"), 400, "InvalidArgument");
  ExpectError(
      Call("PUT", "/topics/t",
           TopicBody("<MessageRetentionPeriod>59</MessageRetentionPeriod>")),
      400, "InvalidArgument");
  // Deletes are idempotent (spec topic §2.4).
  EXPECT_EQ(Call("DELETE", "/topics/none").status, 204);
}

TEST_F(TopicServerTest, ListTopicPagesWithPrefixMarkerAndMeta) {
  // PHP ClientTest::testListTopic.
  CreateTopic("abctestListTopic1");
  CreateTopic("abctestListTopic2");
  CreateTopic("other");
  Reply first = Call("GET", "/topics", "",
                     {{"x-mns-prefix", "abc"}, {"x-mns-ret-number", "1"}});
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(
      CompactXml(first.body),
      std::string(kDeclaration) +
          R"(<Topics xmlns="http://mns.aliyuncs.com/doc/v1"><Topic><TopicURL>http://)" +
          Host() +
          "/topics/abctestListTopic1</TopicURL><TopicName>"
          "abctestListTopic1</TopicName></Topic><NextMarker>" +
          Base64Encode("abctestListTopic2") + "</NextMarker></Topics>");
  Reply second = Call("GET", "/topics", "",
                      {{"x-mns-prefix", "abc"},
                       {"x-mns-ret-number", "1"},
                       {"x-mns-marker", first.Xml("NextMarker")}});
  EXPECT_THAT(second.body, HasSubstr("/topics/abctestListTopic2</TopicURL>"));
  EXPECT_THAT(second.body, testing::Not(HasSubstr("NextMarker")));
  Reply meta = Call("GET", "/topics", "",
                    {{"x-mns-prefix", "other"}, {"x-mns-with-meta", "true"}});
  EXPECT_THAT(meta.body, HasSubstr("<MessageRetentionPeriod>86400<"));
  Reply none = Call("GET", "/topics", "", {{"x-mns-prefix", "zzz"}});
  EXPECT_EQ(none.body, std::string(kDeclaration) +
                           "\n<Topics xmlns=\"http://mns.aliyuncs.com/doc/"
                           "v1\"></Topics>\n");
  ExpectError(Call("GET", "/topics", "", {{"x-mns-ret-number", "0"}}), 400,
              "InvalidArgument");
}

TEST_F(TopicServerTest, PublishAnswersTheIdAndMd5AndValidates) {
  CreateTopic("t");
  Reply published = Call("POST", "/topics/t/messages", PublishBody("test"));
  EXPECT_EQ(published.status, 201);
  EXPECT_THAT(published.Xml("MessageId"),
              testing::MatchesRegex("[0-9A-F]{32}"));
  EXPECT_EQ(published.Xml("MessageBodyMD5"),
            "098F6BCD4621D373CADE4E832627B4F6");
  ExpectError(Call("POST", "/topics/t/messages", "<Message>"), 400,
              "MalformedXML");
  ExpectError(Call("POST", "/topics/t/messages", PublishBody("")), 400,
              "InvalidArgument");
  ExpectError(Call("POST", "/topics/t/messages",
                   PublishBody("x", "<MessageTag>" + std::string(17, 't') +
                                        "</MessageTag>")),
              400, "InvalidArgument");
  ExpectError(Call("POST", "/topics/t/messages",
                   PublishBody("x",
                               "<MessageAttributes><DirectSMS>{no"
                               "</DirectSMS></MessageAttributes>")),
              400, "InvalidArgument");
  ASSERT_EQ(Call("PUT", "/topics/t?metaoverride=true",
                 TopicBody("<MaximumMessageSize>1024</MaximumMessageSize>"))
                .status,
            204);
  ExpectError(
      Call("POST", "/topics/t/messages", PublishBody(std::string(1025, 'x'))),
      400, "InvalidArgument");
  // After DeleteTopic (PHP testPublishMessage).
  EXPECT_EQ(Call("DELETE", "/topics/t").status, 204);
  ExpectError(Call("POST", "/topics/t/messages", PublishBody("x")), 404,
              "TopicNotExist");
}

// --- subscriptions ---------------------------------------------------------

TEST_F(TopicServerTest, SubscriptionsFollowTheConflictRules) {
  CreateTopic("t");
  // PHP TopicTest::testSubscribe.
  Reply made = Call("PUT", "/topics/t/subscriptions/s",
                    SubscriptionBody("https://www.baidu.com/",
                                     "<NotifyStrategy>BACKOFF_RETRY"
                                     "</NotifyStrategy><NotifyContentFormat>"
                                     "XML</NotifyContentFormat>"));
  EXPECT_EQ(made.status, 201);
  EXPECT_EQ(made.Header("Location"),
            "http://" + Host() + "/topics/t/subscriptions/s");
  EXPECT_EQ(Call("PUT", "/topics/t/subscriptions/s",
                 SubscriptionBody("https://www.baidu.com/"))
                .status,
            204);
  ExpectError(Call("PUT", "/topics/t/subscriptions/s",
                   SubscriptionBody("https://www.baidu.com/",
                                    "<NotifyContentFormat>SIMPLIFIED"
                                    "</NotifyContentFormat>")),
              409, "SubscriptionAlreadyExist");
  ExpectError(Call("PUT", "/topics/none/subscriptions/s",
                   SubscriptionBody("http://127.0.0.1/")),
              404, "TopicNotExist");
  for (const std::string& bad :
       {std::string("ftp://h/"), std::string("http://"),
        std::string("acs:mns:r:1:queues/bad_name"),
        std::string("mail:directmail:nobody")}) {
    ExpectError(
        Call("PUT", "/topics/t/subscriptions/s2", SubscriptionBody(bad)), 400,
        "EndpointInvalid");
  }
  ExpectError(Call("PUT", "/topics/t/subscriptions/s2",
                   SubscriptionBody("http://127.0.0.1/",
                                    "<NotifyStrategy>NEVER</NotifyStrategy>")),
              400, "InvalidArgument");
  ExpectError(Call("PUT", "/topics/t/subscriptions/s2",
                   SubscriptionBody("http://127.0.0.1/",
                                    "<NotifyContentFormat>CSV"
                                    "</NotifyContentFormat>")),
              400, "InvalidArgument");
  ExpectError(Call("PUT", "/topics/t/subscriptions/s2",
                   SubscriptionBody(
                       "http://127.0.0.1/",
                       "<FilterTag>" + std::string(17, 'f') + "</FilterTag>")),
              400, "InvalidArgument");
  ExpectError(Call("PUT", "/topics/t/subscriptions/s2",
                   "<Subscription><NotifyStrategy>BACKOFF_RETRY"
                   "</NotifyStrategy></Subscription>"),
              400, "InvalidArgument");
  ExpectError(Call("PUT", "/topics/t/subscriptions/" + std::string(257, 's'),
                   SubscriptionBody("http://127.0.0.1/")),
              400, "SubscriptionNameLengthError");
  ExpectError(Call("PUT", "/topics/t/subscriptions/a.b",
                   SubscriptionBody("http://127.0.0.1/")),
              400, "SubscriptionNameInvalid");
}

TEST_F(TopicServerTest, SubscriptionAttributesGetSetAndUnsubscribe) {
  CreateTopic("t");
  Subscribe("t", "s", "http://127.0.0.1:1/n",
            "<FilterTag>important</FilterTag>");
  Reply got = Call("GET", "/topics/t/subscriptions/s");
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, std::string(kDeclaration) + R"(
<Subscription xmlns="http://mns.aliyuncs.com/doc/v1">
  <CreateTime>1730368640</CreateTime>
  <Endpoint>http://127.0.0.1:1/n</Endpoint>
  <FilterTag>important</FilterTag>
  <LastModifyTime>1730368640</LastModifyTime>
  <NotifyContentFormat>XML</NotifyContentFormat>
  <NotifyStrategy>BACKOFF_RETRY</NotifyStrategy>
  <SubscriptionName>s</SubscriptionName>
  <Subscriber>1234567890123456</Subscriber>
  <TopicName>t</TopicName>
  <TopicOwner>1234567890123456</TopicOwner>
</Subscription>
)");
  EXPECT_EQ(Call("PUT", "/topics/t/subscriptions/s?metaoverride=true",
                 "<Subscription><NotifyStrategy>EXPONENTIAL_DECAY_RETRY"
                 "</NotifyStrategy></Subscription>")
                .status,
            204);
  EXPECT_EQ(Call("GET", "/topics/t/subscriptions/s").Xml("NotifyStrategy"),
            "EXPONENTIAL_DECAY_RETRY");
  EXPECT_EQ(Call("DELETE", "/topics/t/subscriptions/s").status, 204);
  ExpectError(Call("GET", "/topics/t/subscriptions/s"), 404,
              "SubscriptionNotExist");
  EXPECT_EQ(Call("GET", "/topics/t/subscriptions/s").Xml("Message"),
            "The subscription you provided does not exits.");
  ExpectError(Call("PUT", "/topics/t/subscriptions/s?metaoverride=true",
                   "<Subscription/>"),
              404, "SubscriptionNotExist");
  // Unsubscribe is idempotent, on a missing topic too (spec topic §3.2).
  EXPECT_EQ(Call("DELETE", "/topics/t/subscriptions/s").status, 204);
  EXPECT_EQ(Call("DELETE", "/topics/none/subscriptions/s").status, 204);
}

TEST_F(TopicServerTest, ListSubscriptionByTopicPages) {
  CreateTopic("t");
  Subscribe("t", "abctestListTopic1", "http://127.0.0.1:1/");
  Subscribe("t", "abctestListTopic2", "http://127.0.0.1:1/");
  Reply first = Call("GET", "/topics/t/subscriptions", "",
                     {{"x-mns-prefix", "abc"}, {"x-mns-ret-number", "1"}});
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.Xml("SubscriptionURL"),
            "http://" + Host() + "/topics/t/subscriptions/abctestListTopic1");
  Reply second = Call("GET", "/topics/t/subscriptions", "",
                      {{"x-mns-prefix", "abc"},
                       {"x-mns-ret-number", "1"},
                       {"x-mns-marker", first.Xml("NextMarker")}});
  EXPECT_THAT(second.body, HasSubstr("abctestListTopic2</SubscriptionURL>"));
  EXPECT_THAT(second.body, testing::Not(HasSubstr("NextMarker")));
  Reply meta =
      Call("GET", "/topics/t/subscriptions", "", {{"x-mns-with-meta", "true"}});
  EXPECT_THAT(meta.body, HasSubstr("<NotifyStrategy>BACKOFF_RETRY<"));
}

// --- deliveries
// ---------------------------------------------------------------

TEST_F(TopicServerTest, AQueueSubscriptionGetsTheNotificationWithProperties) {
  // PHP TopicTest::testPublishQueueMessage, with its ARN for 127.0.0.1.
  EXPECT_EQ(Call("DELETE", "/queues/qq").status, 204);
  ASSERT_EQ(Call("PUT", "/queues/qq").status, 201);
  CreateTopic("t");
  Subscribe("t", "s", "acs:mns:0:127:queues/qq");
  const std::string properties =
      "<UserProperties><PropertyValue><Name>test-key1</Name><Value>string "
      "property</Value><Type>STRING</Type></PropertyValue></UserProperties>"
      "<SystemProperties><SystemPropertyValue><Name>baggage</Name><Value>"
      "baggage</Value><Type>STRING</Type></SystemPropertyValue>"
      "</SystemProperties>";
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("test", properties))
                .status,
            201);
  // Delivered with the publish: no wait, no advance.
  Reply received = Call("GET", "/queues/qq/messages");
  ASSERT_EQ(received.status, 200) << received.body;
  EXPECT_THAT(received.body, HasSubstr("&lt;Message&gt;test&lt;/Message&gt;"));
  EXPECT_THAT(received.body, HasSubstr("<Name>test-key1</Name>"));
  EXPECT_THAT(received.body, HasSubstr("<Name>baggage</Name>"));
  const json d = Notifications()[0];
  EXPECT_EQ(d["state"], "delivered");
  EXPECT_EQ(d["kind"], "queue");
  EXPECT_EQ(d["attempts"][0]["result"], "enqueued");
}

TEST_F(TopicServerTest, AnHttpEndpointReceivesNotificationsItCanVerify) {
  ::mns::testutil::HttpReceiver receiver(VerifyingAnswer());
  CreateTopic("t");
  Subscribe("t", "xml", receiver.Url("/notify"));
  Subscribe("t", "plain", receiver.Url(""),
            "<NotifyContentFormat>SIMPLIFIED</NotifyContentFormat>");
  Reply published = Call("POST", "/topics/t/messages",
                         PublishBody("hello", "<MessageTag>tag1</MessageTag>"));
  ASSERT_EQ(published.status, 201);
  const json all = Settled();
  ASSERT_EQ(all.size(), 2u);
  for (const json& d : all) EXPECT_EQ(d["state"], "delivered") << d.dump();
  ASSERT_EQ(receiver.Count(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const httplib::Request r = receiver.Requests().at(i);
    EXPECT_TRUE(VerifiesAgainstItsCertificate(r)) << r.target;
    EXPECT_EQ(r.get_header_value("User-Agent"),
              "Aliyun Notification Service Agent");
    if (r.target == "/notify") {
      EXPECT_THAT(r.body, HasSubstr("<Message>hello</Message>"));
      EXPECT_THAT(r.body,
                  HasSubstr("<MessageId>" + published.Xml("MessageId")));
    } else {
      EXPECT_EQ(r.target, "/notifications");
      EXPECT_EQ(r.body, "hello");
      EXPECT_EQ(r.get_header_value("x-mns-message-tag"), "tag1");
    }
  }
  // The certificate is public: no control token is asked for it.
  EmulatorConfig config = DefaultConfig();
  config.control_token = "secret";
  Start(config);
  auto pem = control_->Get("/_emulator/notifications/certificate.pem");
  EXPECT_EQ(pem->status, 200);
  EXPECT_THAT(pem->body, StartsWith("-----BEGIN CERTIFICATE-----\n"));
  EXPECT_EQ(control_->Get("/_emulator/notifications")->status, 401);
}

TEST_F(TopicServerTest, AReceiverThatRejectsIsRetriedOnTheClock) {
  ::mns::testutil::HttpReceiver receiver(VerifyingAnswer(503));
  CreateTopic("t");
  Subscribe("t", "s", receiver.Url("/n"));
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  json d = Settled()[0];
  EXPECT_EQ(d["state"], "pending");
  EXPECT_EQ(d["attempts"][0]["http_status"], 503);
  EXPECT_FALSE(d["next_retry"].is_null());
  // BACKOFF_RETRY: three retries 10-20 s apart; one advance runs them all.
  control_->Post("/_emulator/clock", R"({"advance_seconds":120})",
                 "application/json");
  ::mns::testutil::Eventually(
      [&] {
        d = Notifications()[0];
        return d["state"] != "pending";
      },
      std::chrono::seconds(20), Duration(10));
  EXPECT_EQ(d["state"], "failed");
  EXPECT_EQ(d["attempts"].size(), 4u);
  EXPECT_EQ(receiver.Count(), 4u);
}

TEST_F(TopicServerTest, FaultRulesFailTheNextDeliveriesToAnEndpoint) {
  ::mns::testutil::HttpReceiver receiver(VerifyingAnswer());
  CreateTopic("t");
  Subscribe("t", "s", receiver.Url("/n"));
  auto rule = control_->Post(
      "/_emulator/faults",
      R"({"protocol":"notification","endpoint":"http://127.0.0.1:*","times":3,"error":"InternalError"})",
      "application/json");
  ASSERT_EQ(rule->status, 201) << rule->body;
  // A rule for requests never touches a delivery.
  ASSERT_EQ(
      control_
          ->Post("/_emulator/faults",
                 R"({"drop":true,"operation":"GetQueueAttributes","times":0})",
                 "application/json")
          ->status,
      201);
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  Settled();
  for (int i = 0; i < 3; ++i) {
    control_->Post("/_emulator/clock", R"({"advance_seconds":20})",
                   "application/json");
    Settled();
  }
  const json d = Notifications()[0];
  EXPECT_EQ(d["state"], "delivered") << d.dump();
  ASSERT_EQ(d["attempts"].size(), 4u);
  EXPECT_EQ(d["attempts"][0]["result"], "fault: InternalError");
  EXPECT_EQ(receiver.Count(), 1u);
  const json rules =
      json::parse(control_->Get("/_emulator/faults")->body)["rules"];
  EXPECT_EQ(rules[0]["fired"], 3);
  EXPECT_THAT(rules[0]["hits"][0]["request_id"].get<std::string>(),
              StartsWith("delivery-"));
  EXPECT_EQ(rules[1]["matched"], 0);
  // Only error and drop make sense for a delivery.
  EXPECT_EQ(control_
                ->Post("/_emulator/faults",
                       R"({"operation":"Notify","truncate":true})",
                       "application/json")
                ->status,
            400);
}

TEST_F(TopicServerTest, AnEndpointPointingAtTheEmulatorItselfCannotWedgeIt) {
  CreateTopic("t");
  Subscribe("t", "self", "http://" + Host() + "/topics/t/messages");
  Subscribe("t", "dead", "http://127.0.0.1:9/n");  // nothing listens
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  }
  const json all = Settled();
  ASSERT_EQ(all.size(), 10u);
  for (const json& d : all) {
    EXPECT_EQ(d["state"], "pending") << d.dump();  // retried later
    EXPECT_FALSE(d["attempts"][0]["ok"]);
  }
  // The emulator answered its own push (unsigned: 400) and serves on.
  EXPECT_EQ(Call("GET", "/topics/t").status, 200);
}

TEST_F(TopicServerTest, AnEndpointThatNeverAnswersTimesOutAndHoldsNothing) {
  // A listener that accepts connections (the kernel's backlog does) and
  // never answers.
  const int silent = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{.sin_family = AF_INET, .sin_port = 0};
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(silent, reinterpret_cast<sockaddr*>(&address), sizeof address),
            0);
  ASSERT_EQ(listen(silent, 16), 0);
  socklen_t length = sizeof address;
  getsockname(silent, reinterpret_cast<sockaddr*>(&address), &length);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/n";
  CreateTopic("t");
  Subscribe("t", "silent", url);
  ASSERT_EQ(Call("PUT", "/queues/q").status, 201);
  Subscribe("t", "queue", "acs:mns:r:1:queues/q");
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  // The publish answered, the queue has its copy and other requests are
  // served while the push is still out.
  EXPECT_EQ(Call("GET", "/queues/q/messages").status, 200);
  EXPECT_EQ(Call("GET", "/topics/t").status, 200);
  EXPECT_TRUE(Notifications("?subscription=silent")[0]["in_flight"]);
  // Then the fixture's 2 s timeout ends it; Settled() would give up at 20 s.
  Settled();
  const json d = Notifications("?subscription=silent")[0];
  close(silent);
  EXPECT_EQ(d["subscription"], "silent");
  EXPECT_EQ(d["state"], "pending");  // to be tried again
  EXPECT_THAT(d["attempts"][0]["result"].get<std::string>(),
              StartsWith("no answer: "));
}

TEST_F(TopicServerTest, SmsAndMailEndpointsSendAndRecord) {
  CreateTopic("t");
  Subscribe("t", "sms", "sms:directsms:13800000000");
  Subscribe("t", "mail", "mail:directmail:someone@example.com");
  // PHP TopicTest::testPublishDirectSmsMessage and testPublishMailMessage.
  ASSERT_EQ(
      Call("POST", "/topics/t/messages",
           PublishBody(
               "test",
               "<MessageAttributes><DirectSMS>{\"FreeSignName\":\"\\u963f"
               "\\u91cc\\u4e91\",\"TemplateCode\":\"SMS_1\",\"Receiver\":"
               "\"13900000000\",\"SmsParams\":\"{\\\"code\\\":\\\"7\\\"}\"}"
               "</DirectSMS><DirectMail>{\"Subject\":\"TestSubject\","
               "\"AccountName\":\"TestAccountName\",\"AddressType\":0,"
               "\"ReplyToAddress\":\"0\",\"IsHtml\":\"0\"}</DirectMail>"
               "</MessageAttributes>"))
          .status,
      201);
  const json sms =
      json::parse(control_->Get("/_emulator/sms")->body)["messages"];
  ASSERT_EQ(sms.size(), 1u);
  EXPECT_EQ(sms[0]["phone_number"], "13900000000");
  EXPECT_EQ(sms[0]["sign_name"], "阿里云");
  EXPECT_EQ(sms[0]["template_param"], R"({"code":"7"})");
  const json mail = Notifications("?kind=mail")[0];
  EXPECT_EQ(mail["mail"]["to"], "someone@example.com");
  EXPECT_EQ(mail["mail"]["subject"], "TestSubject");
  // The SMS's receipt follows as for a SendSms.
  control_->Post("/_emulator/clock", R"({"advance_seconds":5})",
                 "application/json");
  auto report = server_->queues().GetQueueAttributes(
      "1943695596114318", "Alicom-Queue-1234567890123456-SmsReport");
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->counts.active, 1);
  EXPECT_EQ(
      json::parse(
          control_->Get("/_emulator/sms")->body)["messages"][0]["send_status"],
      3);
}

TEST_F(TopicServerTest, ResetClearsTopicsAndTheJournalKnowsThem) {
  CreateTopic("t");
  Subscribe("t", "s", "acs:mns:r:1:queues/none");
  ASSERT_EQ(Call("POST", "/topics/t/messages", PublishBody("x")).status, 201);
  const json journal = json::parse(
      control_->Get("/_emulator/requests?topic=t")->body)["requests"];
  ASSERT_EQ(journal.size(), 3u);
  EXPECT_EQ(journal[2]["operation"], "PublishMessage");
  EXPECT_EQ(journal[2]["topic"], "t");
  ASSERT_EQ(
      control_->Post("/_emulator/reset", "{}", "application/json")->status,
      200);
  ExpectError(Call("GET", "/topics/t"), 404, "TopicNotExist");
  EXPECT_TRUE(Notifications().empty());
}

TEST_F(TopicServerTest, TheNotificationLogRefusesBadFilters) {
  EXPECT_EQ(control_->Get("/_emulator/notifications?state=lost")->status, 400);
  EXPECT_EQ(control_->Get("/_emulator/notifications?limit=0")->status, 400);
  EXPECT_EQ(control_->Delete("/_emulator/notifications")->status, 200);
}

}  // namespace
}  // namespace mns::emulator
