// MnsClient over a fake transport: request building, signing, error mapping
// and the retry policy, with no server.
#include "mns/mns_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <mutex>

#include "client/testing/fake_transport.h"
#include "mns/common/crypto.h"

namespace mns {
namespace {

using internal::HttpCall;
using internal::HttpReply;
using ::testing::HasSubstr;
using testutil::FakeTransport;

std::string ErrorBody(const std::string& code, const std::string& message) {
  return R"(<?xml version="1.0" encoding="UTF-8"?><Error xmlns="http://mns.aliyuncs.com/doc/v1"><Code>)" +
         code + "</Code><Message>" + message +
         "</Message><RequestId>BODYID</RequestId><HostId>h</HostId></Error>";
}

constexpr char kMessageXml[] =
    R"(<?xml version="1.0" encoding="UTF-8"?><Message xmlns="http://mns.aliyuncs.com/doc/v1"><MessageId>ID</MessageId><MessageBodyMD5>MD5</MessageBodyMD5><MessageBody>aGVsbG8=</MessageBody><ReceiptHandle>H-1</ReceiptHandle><EnqueueTime>1700000000000</EnqueueTime><FirstDequeueTime>1700000001000</FirstDequeueTime><NextVisibleTime>1700000031000</NextVisibleTime><DequeueCount>1</DequeueCount><Priority>8</Priority></Message>)";

class MnsClientTest : public ::testing::Test {
 protected:
  MnsClient Make(RetryPolicy retry = {.initial_delay = Duration(0),
                                      .max_delay = Duration(0)},
                 std::string token = "", bool base64 = true) {
    ClientOptions options{
        .endpoint = "http://unused",
        .credentials = MakeStaticCredentials("ak", "sk", token),
        .retry = retry,
        .base64_bodies = base64};
    return MnsClient(options, transport_);
  }
  std::shared_ptr<FakeTransport> transport_ = std::make_shared<FakeTransport>();
};

TEST_F(MnsClientTest, RetriesTransportAndServerErrorsOnIdempotentCalls) {
  MnsClient client = Make();
  transport_->Fail();
  transport_->Reply(503, ErrorBody("InternalError", "x"));
  transport_->Reply(200, kMessageXml);
  auto got = client.ReceiveMessage("q", 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(transport_->calls.size(), 3u);
}

TEST_F(MnsClientTest, GivesUpAfterMaxAttempts) {
  MnsClient client = Make({.max_attempts = 2, .initial_delay = Duration(0)});
  transport_->Fail();
  transport_->Fail();
  transport_->Fail();
  EXPECT_EQ(client.GetQueueAttributes("q").status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(transport_->calls.size(), 2u);
}

TEST_F(MnsClientTest, QpsLimitExceededIsRetried) {
  MnsClient client = Make();
  transport_->Reply(403, ErrorBody("QpsLimitExceeded", "slow down"));
  transport_->Reply(204);
  EXPECT_TRUE(client.DeleteQueue("q").ok());
  EXPECT_EQ(transport_->calls.size(), 2u);
}

TEST_F(MnsClientTest, MessageNotExistIsNeverRetried) {
  MnsClient client = Make();
  transport_->Reply(404, ErrorBody("MessageNotExist", "Message not exist."),
                    "RID");
  auto got = client.ReceiveMessage("q", 1);
  EXPECT_EQ(got.status().error_code(), "MessageNotExist");
  EXPECT_EQ(got.status().message(), "Message not exist.");
  EXPECT_EQ(got.status().request_id(), "RID");
  EXPECT_EQ(got.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(transport_->calls.size(), 1u);
}

TEST_F(MnsClientTest, SendMessageIsRetriedOnlyWhenTheCallerOptsIn) {
  MnsClient plain = Make();
  transport_->Fail();
  EXPECT_FALSE(plain.SendMessage("q", {.body = "x"}).ok());
  EXPECT_EQ(transport_->calls.size(), 1u);

  MnsClient opted = Make({.initial_delay = Duration(0), .retry_send = true});
  transport_->Fail();
  transport_->Reply(201,
                    "<Message><MessageId>A</MessageId><MessageBodyMD5>B</"
                    "MessageBodyMD5></Message>");
  EXPECT_TRUE(opted.SendMessage("q", {.body = "x"}).ok());
  EXPECT_EQ(transport_->calls.size(), 3u);
}

TEST_F(MnsClientTest, ErrorRequestIdFallsBackToTheBody) {
  MnsClient client = Make();
  transport_->Reply(404, ErrorBody("QueueNotExist", "no queue"));
  auto got = client.GetQueueAttributes("q");
  EXPECT_EQ(got.status().request_id(), "BODYID");
  EXPECT_EQ(got.status().error_code(), "QueueNotExist");
}

TEST_F(MnsClientTest, SignsAndSendsTheSecurityTokenUnsigned) {
  MnsClient client = Make({}, "TOKEN");
  transport_->Reply(200, kMessageXml);
  ASSERT_TRUE(client.ReceiveMessage("q", 5).ok());
  const HttpCall& call = transport_->calls[0];
  EXPECT_EQ(call.target, "/queues/q/messages?waitseconds=5");
  EXPECT_EQ(FakeTransport::Header(call, "x-mns-version"), "2015-06-06");
  EXPECT_EQ(FakeTransport::Header(call, "security-token"), "TOKEN");
  EXPECT_THAT(FakeTransport::Header(call, "Authorization"),
              HasSubstr("MNS ak:"));
  // The read timeout always exceeds the long-poll wait.
  EXPECT_EQ(call.read_timeout, Duration(10'000 + 5'000));
}

TEST_F(MnsClientTest, BodiesAreBase64OnTheWireAndDecodedOnReceipt) {
  MnsClient client = Make();
  transport_->Reply(201, "<Message><MessageId>A</MessageId></Message>");
  ASSERT_TRUE(client.SendMessage("q", {.body = "hello", .priority = 3}).ok());
  const HttpCall& call = transport_->calls[0];
  EXPECT_THAT(call.body, HasSubstr("<MessageBody>aGVsbG8=</MessageBody>"));
  EXPECT_THAT(call.body, HasSubstr("<Priority>3</Priority>"));
  EXPECT_EQ(FakeTransport::Header(call, "Content-MD5"),
            Base64Encode(HexLower(Md5(call.body))));

  transport_->Reply(200, kMessageXml);
  auto got = client.ReceiveMessage("q", 0);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->body, "hello");
  EXPECT_EQ(got->raw_body, "aGVsbG8=");
  EXPECT_EQ(got->dequeue_count, 1);
  EXPECT_EQ(got->first_dequeue_time, FromUnixMillis(1700000001000));
}

TEST_F(MnsClientTest, RawBodiesAreXmlEscaped) {
  MnsClient client = Make({}, "", /*base64=*/false);
  transport_->Reply(201, "<Message><MessageId>A</MessageId></Message>");
  ASSERT_TRUE(client.SendMessage("q", {.body = "fish & <chips>"}).ok());
  EXPECT_THAT(transport_->calls[0].body,
              HasSubstr("<MessageBody>fish &amp; &lt;chips&gt;</MessageBody>"));
}

TEST_F(MnsClientTest, RawBodiesAreReadWholeFromPrettyOrSplitXml) {
  MnsClient client = Make({}, "", /*base64=*/false);
  transport_->Reply(200,
                    "<Message>\n  <MessageId>A</MessageId>\n"
                    "  <MessageBody>  </MessageBody>\n</Message>");
  auto spaces = client.ReceiveMessage("q", 0);
  ASSERT_TRUE(spaces.ok());
  EXPECT_EQ(spaces->body, "  ");
  EXPECT_EQ(spaces->message_id, "A");
  transport_->Reply(200,
                    "<Message><MessageBody>fish <![CDATA[& chips]]>"
                    "</MessageBody></Message>");
  auto split = client.ReceiveMessage("q", 0);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->body, "fish & chips");
}

TEST_F(MnsClientTest, BatchPartialFailuresComeBackPerEntry) {
  MnsClient client = Make();
  transport_->Reply(400,
                    "<Messages><Message><ErrorCode>InvalidArgument</"
                    "ErrorCode><ErrorMessage>too big</ErrorMessage></"
                    "Message><Message><MessageId>A</"
                    "MessageId><MessageBodyMD5>B</MessageBodyMD5></Message></"
                    "Messages>");
  auto sent = client.BatchSendMessage("q", {{.body = "x"}, {.body = "y"}});
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ((*sent)[0].status().error_code(), "InvalidArgument");
  EXPECT_EQ((*sent)[1]->message_id, "A");

  transport_->Reply(404,
                    "<Errors><Error><ErrorCode>MessageNotExist</"
                    "ErrorCode><ErrorMessage>gone</"
                    "ErrorMessage><ReceiptHandle>H</ReceiptHandle></Error></"
                    "Errors>");
  auto deleted = client.BatchDeleteMessage("q", {"H", "G"});
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->size(), 1u);
  EXPECT_EQ((*deleted)[0].receipt_handle, "H");
}

TEST_F(MnsClientTest, QueueNamesIteratesOverPages) {
  MnsClient client = Make();
  transport_->Reply(200,
                    "<Queues><Queue><QueueURL>http://h/queues/a</QueueURL></"
                    "Queue><NextMarker>Yg==</NextMarker></Queues>");
  transport_->Reply(200,
                    "<Queues><Queue><QueueURL>http://h/queues/b</QueueURL></"
                    "Queue></Queues>");
  auto names = client.ListAllQueues("", 1);
  EXPECT_EQ(names.Next(), "a");
  EXPECT_EQ(names.Next(), "b");
  EXPECT_EQ(names.Next(), std::nullopt);
  EXPECT_TRUE(names.status().ok());
  EXPECT_EQ(FakeTransport::Header(transport_->calls[1], "x-mns-marker"),
            "Yg==");
}

}  // namespace
}  // namespace mns
