// Queue operations, attributes, the message lifecycle, long polling and
// signatures, through the client library. Every queue is this run's own;
// waits poll or long-poll rather than sleep.
#include <httplib.h>

#include <future>
#include <set>
#include <thread>

#include "client/testing/signing.h"
#include "conformance/conformance.h"
#include "mns/common/crypto.h"

namespace mns::conformance {
namespace {

using Seconds = std::chrono::duration<double>;

class Queues : public ConformanceTest {};
class Messages : public ConformanceTest {};
class LongPolling : public ConformanceTest {};
class Lifecycle : public ConformanceTest {};
class Signatures : public ConformanceTest {};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return Seconds(std::chrono::steady_clock::now() - start).count();
}

// ---- queues ---------------------------------------------------------------

CONFORMANCE_TEST(Queues, CreateIsIdempotentForTheSameAttributes, "CreateQueue",
                 unverified()) {
  const std::string queue = QueueName();
  auto first = mns().CreateQueue(queue, {.visibility_timeout = 60});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(*first);  // 201
  auto again = mns().CreateQueue(queue, {.visibility_timeout = 60});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);  // 204
  auto other = mns().CreateQueue(queue, {.visibility_timeout = 61});
  EXPECT_EQ(other.status().error_code(), "QueueAlreadyExist");
}

CONFORMANCE_TEST(Queues, NewQueueHasTheDocumentedDefaults, "GetQueueAttributes",
                 unverified()) {
  const std::string queue = NewQueue();
  auto info = mns().GetQueueAttributes(queue);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->name, queue);
  EXPECT_EQ(info->delay_seconds, 0);
  EXPECT_EQ(info->maximum_message_size, 65536);
  EXPECT_EQ(info->message_retention_period, 345600);
  EXPECT_EQ(info->visibility_timeout, 30);
  EXPECT_EQ(info->polling_wait_seconds, 0);
  EXPECT_FALSE(info->logging_enabled);
  EXPECT_EQ(info->active_messages, 0);
}

CONFORMANCE_TEST(Queues, SetChangesOnlyTheGivenAttributes, "SetQueueAttributes",
                 unverified()) {
  const std::string queue = NewQueue({.polling_wait_seconds = 5});
  ASSERT_TRUE(
      mns().SetQueueAttributes(queue, {.visibility_timeout = 100}).ok());
  auto info = mns().GetQueueAttributes(queue);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->visibility_timeout, 100);
  EXPECT_EQ(info->polling_wait_seconds, 5);
}

CONFORMANCE_TEST(Queues, AttributesOutOfRangeAreInvalidArgument, "CreateQueue",
                 unverified()) {
  const std::vector<QueueAttributes> bad = {
      {.delay_seconds = 604801},       {.maximum_message_size = 1023},
      {.maximum_message_size = 65537}, {.message_retention_period = 59},
      {.visibility_timeout = 0},       {.visibility_timeout = 43201},
      {.polling_wait_seconds = 31},
  };
  for (const auto& attributes : bad) {
    const std::string queue = QueueName();
    auto created = mns().CreateQueue(queue, attributes);
    EXPECT_EQ(created.status().error_code(), "InvalidArgument")
        << queue << ": " << created.status();
  }
  // The edges are accepted.
  EXPECT_TRUE(mns()
                  .CreateQueue(QueueName(), {.delay_seconds = 604800,
                                             .maximum_message_size = 1024,
                                             .message_retention_period = 60,
                                             .visibility_timeout = 43200,
                                             .polling_wait_seconds = 30})
                  .ok());
}

CONFORMANCE_TEST(Queues, ListPagesByPrefixWithAMarker, "ListQueue",
                 unverified()) {
  std::set<std::string> created;
  for (int i = 0; i < 3; ++i) created.insert(NewQueue());
  const std::string prefix = std::string(kQueuePrefix) + target().run_id + "-";
  // Other tests of this run may add queues meanwhile: check ours are there,
  // each once, across pages of two.
  std::set<std::string> listed;
  int pages = 0;
  std::string marker;
  do {
    auto page = mns().ListQueues(prefix, marker, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LE(page->queue_names.size(), 2u);
    for (const auto& name : page->queue_names) {
      EXPECT_TRUE(listed.insert(name).second) << name << " listed twice";
    }
    marker = page->next_marker;
    ++pages;
  } while (!marker.empty() && pages < 100);
  for (const auto& name : created) EXPECT_TRUE(listed.contains(name)) << name;
  EXPECT_GE(pages, 2);
}

CONFORMANCE_TEST(Queues, DeletedQueueIsGone, "DeleteQueue", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().DeleteQueue(queue).ok());
  EXPECT_EQ(mns().GetQueueAttributes(queue).status().error_code(),
            "QueueNotExist");
  EXPECT_EQ(mns().SendMessage(queue, {.body = "x"}).status().error_code(),
            "QueueNotExist");
}

// ---- messages -------------------------------------------------------------

CONFORMANCE_TEST(Messages, SendReceiveDeleteKeepsTheBodyAndItsMD5,
                 "SendMessage", unverified()) {
  const std::string queue = NewQueue();
  const std::string body = "I am 测试字符串 & <xml> \"quoted\"";
  auto sent = mns().SendMessage(queue, {.body = body});
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->message_id.size(), 32u);
  // The MD5 is of the text on the wire: the base64 the client sent.
  EXPECT_EQ(sent->body_md5, HexUpper(Md5(Base64Encode(body))));
  auto received = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, body);
  EXPECT_EQ(received->message_id, sent->message_id);
  EXPECT_EQ(received->body_md5, sent->body_md5);
  EXPECT_EQ(received->dequeue_count, 1);
  EXPECT_EQ(received->priority, 8);
  EXPECT_TRUE(received->first_dequeue_time.has_value());
  EXPECT_GT(received->next_visible_time, received->enqueue_time);
  ASSERT_TRUE(mns().DeleteMessage(queue, received->receipt_handle).ok());
  EXPECT_EQ(mns().ReceiveMessage(queue, 0).status().error_code(),
            "MessageNotExist");
}

CONFORMANCE_TEST(Messages, BatchSendReceiveAndDelete, "BatchSendMessage",
                 unverified()) {
  const std::string queue = NewQueue();
  auto sent = mns().BatchSendMessage(
      queue, {{.body = "one"}, {.body = "two"}, {.body = "three"}});
  ASSERT_TRUE(sent.ok()) << sent.status();
  ASSERT_EQ(sent->size(), 3u);
  for (const auto& entry : *sent) EXPECT_TRUE(entry.ok()) << entry.status();
  std::vector<std::string> handles;
  std::set<std::string> bodies;
  ASSERT_TRUE(Eventually(
      [&] {
        auto batch = mns().BatchReceiveMessage(queue, 16, 1);
        if (batch.ok()) {
          for (const auto& m : *batch) {
            handles.push_back(m.receipt_handle);
            bodies.insert(m.body);
          }
        }
        return bodies.size() == 3;
      },
      Duration(10'000)));
  EXPECT_EQ(bodies, (std::set<std::string>{"one", "two", "three"}));
  auto failed = mns().BatchDeleteMessage(queue, handles);
  ASSERT_TRUE(failed.ok()) << failed.status();
  EXPECT_TRUE(failed->empty());
}

CONFORMANCE_TEST(Messages, BatchDeleteReportsOnlyTheFailedHandle,
                 "BatchDeleteMessage", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "x"}).ok());
  auto received = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(received.ok()) << received.status();
  // A well-formed handle of a message that was already deleted.
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "y"}).ok());
  auto other = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE(mns().DeleteMessage(queue, other->receipt_handle).ok());
  auto failed = mns().BatchDeleteMessage(
      queue, {received->receipt_handle, other->receipt_handle});
  ASSERT_TRUE(failed.ok()) << failed.status();
  ASSERT_EQ(failed->size(), 1u);
  EXPECT_EQ((*failed)[0].receipt_handle, other->receipt_handle);
  EXPECT_EQ((*failed)[0].error_code, "MessageNotExist");
  // The good one was deleted nonetheless.
  auto info = mns().GetQueueAttributes(queue);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->active_messages + info->inactive_messages, 0);
}

CONFORMANCE_TEST(Messages, PeekChangesNothing, "PeekMessage", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "look"}).ok());
  for (int i = 0; i < 2; ++i) {
    auto peeked = mns().PeekMessage(queue);
    ASSERT_TRUE(peeked.ok()) << peeked.status();
    EXPECT_EQ(peeked->body, "look");
    EXPECT_EQ(peeked->dequeue_count, 0);
    EXPECT_TRUE(peeked->receipt_handle.empty());
  }
  auto batch = mns().BatchPeekMessage(queue, 16);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size(), 1u);
  auto received = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(received.ok());
  EXPECT_EQ(received->dequeue_count, 1);
}

CONFORMANCE_TEST(Messages, ChangeVisibilityIssuesANewHandle,
                 "ChangeMessageVisibility", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "x"}).ok());
  auto received = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(received.ok()) << received.status();
  auto changed =
      mns().ChangeMessageVisibility(queue, received->receipt_handle, 100);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_NE(changed->receipt_handle, received->receipt_handle);
  EXPECT_GT(changed->next_visible_time, received->next_visible_time);
  EXPECT_TRUE(mns().DeleteMessage(queue, changed->receipt_handle).ok());
}

CONFORMANCE_TEST(Messages, VisibilityOutOfRangeIsInvalidArgument,
                 "ChangeMessageVisibility", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "x"}).ok());
  auto received = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(mns()
                .ChangeMessageVisibility(queue, received->receipt_handle, 43201)
                .status()
                .error_code(),
            "InvalidArgument");
}

CONFORMANCE_TEST(Messages, PriorityOneComesFirst, "ReceiveMessage",
                 unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "low", .priority = 16}).ok());
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "high", .priority = 1}).ok());
  auto first = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->body, "high");
  EXPECT_EQ(first->priority, 1);
}

// The code for an oversized body is UNCONFIRMED (spec mns §3.7: "body larger
// than queue MaximumMessageSize -> InvalidArgument (UNCONFIRMED code)").
CONFORMANCE_TEST(Messages, ABodyOverTheQueueLimitIsRefused, "SendMessage",
                 unverified()) {
  const std::string queue = NewQueue({.maximum_message_size = 1024});
  // Raw bodies, so the size on the wire is the size given: 1,024 bytes fit.
  ClientOptions raw = DefaultOptions();
  raw.base64_bodies = false;
  auto client = Client(raw);
  EXPECT_TRUE(
      client->SendMessage(queue, {.body = std::string(1024, 'a')}).ok());
  EXPECT_EQ(client->SendMessage(queue, {.body = std::string(1025, 'a')})
                .status()
                .error_code(),
            "InvalidArgument");
}

CONFORMANCE_TEST(Messages, MissingQueueIsQueueNotExist, "ReceiveMessage",
                 unverified()) {
  EXPECT_EQ(mns().ReceiveMessage(QueueName(), 0).status().error_code(),
            "QueueNotExist");
}

// ---- long polling ---------------------------------------------------------

CONFORMANCE_TEST(LongPolling, ReturnsWhenAMessageArrives, "ReceiveMessage",
                 unverified()) {
  const std::string queue = NewQueue();
  const auto start = std::chrono::steady_clock::now();
  auto poll = std::async(std::launch::async,
                         [&] { return mns().ReceiveMessage(queue, 10); });
  // Send once the poll has had time to park; it must not wait out its 10 s.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "wake"}).ok());
  auto received = poll.get();
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, "wake");
  EXPECT_LT(SecondsSince(start), 5.0);
}

// Tolerance: the wait may end up to 1 s early or 2 s late (network and
// server scheduling).
CONFORMANCE_TEST(LongPolling, EndsWithMessageNotExistAfterTheWait,
                 "ReceiveMessage", unverified()) {
  const std::string queue = NewQueue();
  const auto start = std::chrono::steady_clock::now();
  auto received = mns().ReceiveMessage(queue, 2);
  const double waited = SecondsSince(start);
  EXPECT_EQ(received.status().error_code(), "MessageNotExist");
  EXPECT_GE(waited, 1.0);
  EXPECT_LE(waited, 4.0);
}

CONFORMANCE_TEST(LongPolling, WakesWhenADelayEnds, "ReceiveMessage",
                 unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(
      mns().SendMessage(queue, {.body = "later", .delay_seconds = 2}).ok());
  EXPECT_EQ(mns().ReceiveMessage(queue, 0).status().error_code(),
            "MessageNotExist");
  const auto start = std::chrono::steady_clock::now();
  auto received = mns().ReceiveMessage(queue, 10);
  ASSERT_TRUE(received.ok()) << received.status();
  EXPECT_EQ(received->body, "later");
  EXPECT_LT(SecondsSince(start), 5.0);
}

CONFORMANCE_TEST(LongPolling, WakesWhenAVisibilityTimeoutEnds, "ReceiveMessage",
                 unverified()) {
  const std::string queue = NewQueue({.visibility_timeout = 2});
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "again"}).ok());
  auto first = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  const auto start = std::chrono::steady_clock::now();
  auto second = mns().ReceiveMessage(queue, 10);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->message_id, first->message_id);
  EXPECT_EQ(second->dequeue_count, 2);
  EXPECT_LT(SecondsSince(start), 5.0);
}

// ---- lifecycle ------------------------------------------------------------

CONFORMANCE_TEST(Lifecycle, AnExpiredHandleIsStaleAfterRedelivery,
                 "DeleteMessage", unverified()) {
  const std::string queue = NewQueue({.visibility_timeout = 1});
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "x"}).ok());
  auto first = mns().ReceiveMessage(queue, 1);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = mns().ReceiveMessage(queue, 5);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->dequeue_count, 2);
  EXPECT_EQ(mns().DeleteMessage(queue, first->receipt_handle).error_code(),
            "MessageNotExist");
  EXPECT_TRUE(mns().DeleteMessage(queue, second->receipt_handle).ok());
}

CONFORMANCE_TEST(Lifecycle, AMalformedHandleIsReceiptHandleError,
                 "DeleteMessage", unverified()) {
  const std::string queue = NewQueue();
  EXPECT_EQ(mns().DeleteMessage(queue, "not-a-handle").error_code(),
            "ReceiptHandleError");
}

CONFORMANCE_TEST(Lifecycle, DelayedMessagesAreCountedApart,
                 "GetQueueAttributes", unverified()) {
  const std::string queue = NewQueue();
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "now"}).ok());
  ASSERT_TRUE(
      mns().SendMessage(queue, {.body = "later", .delay_seconds = 600}).ok());
  auto info = mns().GetQueueAttributes(queue);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->active_messages, 1);
  EXPECT_EQ(info->delay_messages, 1);
}

CONFORMANCE_TEST(Lifecycle, RetentionDropsMessagesWhateverTheirState,
                 "MessageRetentionPeriod",
                 emulator_only("needs virtual time: retention is at least "
                               "60 s")) {
  const std::string queue = NewQueue({.message_retention_period = 60});
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "old"}).ok());
  ASSERT_TRUE(mns().SendMessage(queue, {.body = "held"}).ok());
  ASSERT_TRUE(mns().ReceiveMessage(queue, 0).ok());  // one inactive
  ASSERT_TRUE(AdvanceEmulatorClock(Duration(61'000)).ok());
  auto info = mns().GetQueueAttributes(queue);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->active_messages + info->inactive_messages, 0);
}

// ---- signatures -----------------------------------------------------------

CONFORMANCE_TEST(Signatures, AWrongSecretIsSignatureDoesNotMatch,
                 "Authorization", unverified()) {
  ClientOptions options = DefaultOptions();
  options.credentials =
      MakeStaticCredentials(target().access_key_id, "not-the-secret");
  auto status = Client(options)->GetQueueAttributes(NewQueue()).status();
  EXPECT_EQ(status.error_code(), "SignatureDoesNotMatch");
  EXPECT_FALSE(status.request_id().empty());
}

// Spec mns §6.2: TimeExpired for a Date more than 15 minutes off (its HTTP
// status is UNCONFIRMED, so only the code is checked).
CONFORMANCE_TEST(Signatures, ADateSkewedBeyondFifteenMinutesIsRefused,
                 "Authorization", unverified()) {
  ClientOptions options = DefaultOptions();
  SystemClock real;
  options.clock =
      std::make_shared<SimulatedClock>(real.Now() - std::chrono::minutes(20));
  auto status = Client(options)->GetQueueAttributes(NewQueue()).status();
  EXPECT_EQ(status.error_code(), "TimeExpired") << status;
}

CONFORMANCE_TEST(Signatures, AMissingVersionHeaderIsRefused, "Authorization",
                 unverified()) {
  const std::string queue = NewQueue();
  const std::string path = "/queues/" + queue;
  httplib::Headers sent;
  for (const auto& [name, value] : testutil::SignedMnsHeaders(
           "GET", path, "", {},
           {target().access_key_id, target().access_key_secret},
           SystemClock().Now())) {
    if (name != "x-mns-version") sent.emplace(name, value);
  }
  httplib::Client http(target().mns_endpoint);
  auto result = http.Get(path, sent);
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 400);
  EXPECT_NE(result->body.find("<Code>MissingVersionHeader</Code>"),
            std::string::npos)
      << result->body;
}

}  // namespace
}  // namespace mns::conformance
