#include "emulator/http/http_front_end.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "emulator/testing/raw_connection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mns::emulator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using testutil::RawConnection;

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: emulator\r\n" + extra + "\r\n";
}

class HttpFrontEndTest : public ::testing::Test {
 protected:
  void Start(HttpFrontEndOptions options = {}) {
    auto started = HttpFrontEnd::Start(
        std::move(options),
        [this](const HttpRequest& request) {
          ++handled_;
          if (request.path() == "/throw") throw std::runtime_error("boom");
          if (request.path() == "/slow") {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
          }
          HttpResponse response;
          response.body = request.method + " " + request.target +
                          " host=" + request.Header("Host").value_or("") +
                          " body=" + request.body + ";";
          return response;
        },
        [](int status, const std::string& message, const HttpRequest&) {
          HttpResponse response;
          response.status = status;
          response.body = "<Error>" + message + "</Error>";
          return response;
        });
    ASSERT_TRUE(started.ok()) << started.status().message();
    front_end_ = std::move(started).value();
  }
  int port() const { return front_end_->port(); }

  std::atomic<int> handled_{0};
  std::unique_ptr<HttpFrontEnd> front_end_;
};

TEST_F(HttpFrontEndTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.connected());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(connection.Send(Get("/n" + std::to_string(i))));
    EXPECT_THAT(connection.ReadUntil(";"),
                HasSubstr("GET /n" + std::to_string(i) + " "));
  }
}

TEST_F(HttpFrontEndTest, PipelinedRequestsAreAllAnsweredInOrder) {
  Start();
  RawConnection connection(port());
  std::string burst;
  for (int i = 0; i < 20; ++i) {
    burst +=
        "POST /queues/q/messages HTTP/1.1\r\nHost: e\r\n"
        "Content-Length: 2\r\n\r\n" +
        std::string(i < 10 ? "0" : "") + std::to_string(i);
  }
  ASSERT_TRUE(connection.Send(burst));
  std::string replies = connection.ReadUntil(";", 20);
  ASSERT_EQ(RawConnection::Occurrences(replies, "HTTP/1.1 200"), 20);
  size_t at = 0;
  for (int i = 0; i < 20; ++i) {
    std::string body =
        "body=" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ";";
    size_t found = replies.find(body, at);
    ASSERT_NE(found, std::string::npos) << "reply " << i << " missing";
    at = found;
  }
}

TEST_F(HttpFrontEndTest, AbsoluteFormTargetReachesTheHandlerInOriginForm) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(
      connection.Send("GET http://proxy.example:8080/queues/q1?a=1 HTTP/1.1\r\n"
                      "Host: ignored\r\n\r\n"));
  // RFC 9112 §3.2.2: the authority in the target replaces Host.
  EXPECT_THAT(connection.ReadUntil(";"),
              HasSubstr("GET /queues/q1?a=1 host=proxy.example:8080 body=;"));
}

TEST_F(HttpFrontEndTest, OriginFormTargetConversion) {
  EXPECT_EQ(OriginFormTarget("/a?b"), "/a?b");
  EXPECT_EQ(OriginFormTarget("http://h:1/a?b"), "/a?b");
  EXPECT_EQ(OriginFormTarget("https://h"), "/");
  EXPECT_EQ(OriginFormTarget("HTTP://h?x=1"), "/?x=1");
}

TEST_F(HttpFrontEndTest, ContentLengthWithTransferEncodingIsRefused) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.Send(
      "POST /x HTTP/1.1\r\nHost: e\r\nContent-Length: 3\r\n"
      "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"));
  std::string reply = connection.ReadToClose();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 400"));
  EXPECT_THAT(reply, HasSubstr("<Error>The request could not be read"));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpFrontEndTest, ChunkedBodyIsReassembled) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.Send(
      "POST /x HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n"
      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  EXPECT_THAT(connection.ReadUntil(";"), HasSubstr("body=abcde;"));
}

TEST_F(HttpFrontEndTest, CompressedBodyIsRefusedBeforeItIsRead) {
  Start();
  RawConnection connection(port());
  // Announce 1 MB of gzip and send none of it: the answer must not wait.
  ASSERT_TRUE(connection.Send(
      "POST /x HTTP/1.1\r\nHost: e\r\nContent-Encoding: gzip\r\n"
      "Content-Length: 1000000\r\n\r\n"));
  std::string reply = connection.ReadUntil("</Error>");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 415"));
  EXPECT_THAT(reply, HasSubstr("Content-Encoding gzip is not supported"));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpFrontEndTest, IdentityContentEncodingIsAccepted) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.Send(
      "POST /x HTTP/1.1\r\nHost: e\r\nContent-Encoding: identity\r\n"
      "Content-Length: 2\r\n\r\nok"));
  EXPECT_THAT(connection.ReadUntil(";"), HasSubstr("body=ok;"));
}

TEST_F(HttpFrontEndTest, TooManyHeaderFieldsAreRefused) {
  Start();
  RawConnection connection(port());
  std::string headers;
  for (int i = 0; i < 1000; ++i)
    headers += "X-H" + std::to_string(i) + ": v\r\n";
  ASSERT_TRUE(connection.Send(Get("/x", headers)));
  std::string reply = connection.ReadToClose();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(reply, HasSubstr("more than 100 header fields"));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpFrontEndTest, HeadersOverTheByteLimitAreRefused) {
  Start({.max_header_bytes = 1024});
  RawConnection connection(port());
  ASSERT_TRUE(
      connection.Send(Get("/x", "X-Big: " + std::string(2000, 'a') + "\r\n")));
  std::string reply = connection.ReadToClose();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 431"));
  EXPECT_THAT(reply, HasSubstr("larger than 1024 bytes"));
}

TEST_F(HttpFrontEndTest, BodyOverTheLimitIsRefusedBeforeItIsSent) {
  Start({.max_body_bytes = 1000});
  RawConnection connection(port());
  ASSERT_TRUE(connection.Send(
      "POST /x HTTP/1.1\r\nHost: e\r\nContent-Length: 5000\r\n\r\n"));
  std::string reply = connection.ReadUntil("</Error>");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 413"));
  EXPECT_THAT(reply, HasSubstr("larger than 1000 bytes"));
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpFrontEndTest, ATrickledRequestIsCutOffAtTheDeadline) {
  Start({.request_deadline = std::chrono::milliseconds(300)});
  RawConnection connection(port());
  const std::string request = Get("/trickle");
  bool cut_off = false;
  // One byte every 50 ms would take about 1.5 s; the deadline is 300 ms.
  for (char byte : request) {
    if (!connection.Send(std::string(1, byte))) {
      cut_off = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (!cut_off) {
    // The last bytes may have gone into the socket buffer after the close;
    // what matters is that no answer came and the connection is gone.
    EXPECT_THAT(connection.ReadToClose(), Not(HasSubstr("GET /trickle")));
  }
  EXPECT_EQ(handled_, 0);
}

TEST_F(HttpFrontEndTest, AHandlerThatThrowsBecomesA500) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(connection.Send(Get("/throw")));
  std::string reply = connection.ReadUntil("</Error>");
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 500"));
  // The front end survives it.
  RawConnection next(port());
  ASSERT_TRUE(next.Send(Get("/after")));
  EXPECT_THAT(next.ReadUntil(";"), HasSubstr("GET /after"));
}

TEST_F(HttpFrontEndTest, ConnectionsOverTheCapAreRefusedWith503) {
  Start({.max_connections = 2});
  RawConnection first(port());
  RawConnection second(port());
  ASSERT_TRUE(first.Send(Get("/1")));
  ASSERT_TRUE(second.Send(Get("/2")));
  ASSERT_THAT(first.ReadUntil(";"), HasSubstr("GET /1"));
  ASSERT_THAT(second.ReadUntil(";"), HasSubstr("GET /2"));
  RawConnection third(port());
  std::string reply = third.ReadToClose();
  EXPECT_THAT(reply, StartsWith("HTTP/1.1 503"));
}

TEST_F(HttpFrontEndTest, ExpectContinueIsAnsweredBeforeTheBody) {
  Start();
  RawConnection connection(port());
  ASSERT_TRUE(
      connection.Send("POST /x HTTP/1.1\r\nHost: e\r\nExpect: 100-continue\r\n"
                      "Content-Length: 4\r\n\r\n"));
  EXPECT_THAT(connection.ReadUntil("\r\n\r\n"),
              StartsWith("HTTP/1.1 100 Continue"));
  ASSERT_TRUE(connection.Send("body"));
  EXPECT_THAT(connection.ReadUntil(";"), HasSubstr("body=body;"));
}

TEST_F(HttpFrontEndTest, StopWaitsForARunningHandlerAndClosesIdleOnes) {
  Start();
  RawConnection idle(port());
  ASSERT_TRUE(idle.Send(Get("/idle")));
  ASSERT_THAT(idle.ReadUntil(";"), HasSubstr("GET /idle"));
  RawConnection busy(port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  while (handled_ < 2) std::this_thread::yield();
  front_end_->Stop();
  EXPECT_THAT(busy.ReadUntil(";"), HasSubstr("GET /slow"));
  EXPECT_TRUE(idle.PeerClosed());
}

TEST_F(HttpFrontEndTest, AnOccupiedPortIsAnError) {
  Start();
  auto second = HttpFrontEnd::Start(
      {.port = port()}, [](const HttpRequest&) { return HttpResponse{}; },
      [](int, const std::string&, const HttpRequest&) {
        return HttpResponse{};
      });
  EXPECT_FALSE(second.ok());
}

}  // namespace
}  // namespace mns::emulator
