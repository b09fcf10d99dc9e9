// The Alicom receipt flow: temporary tokens, SendSms to a deleted SmsReport,
// replies, and compensation through QuerySendDetails. Against live these
// need the ALICOM_* variables and send one real SMS; without them they skip.
#include "conformance/conformance.h"
#include "mns/reconciler.h"
#include "mns/token_provider.h"

namespace mns::conformance {
namespace {

class Alicom : public ConformanceTest {
 protected:
  void SetUp() override {
    ConformanceTest::SetUp();
    if (IsSkipped()) return;
    if (!target().alicom) GTEST_SKIP() << target().alicom_skip_reason;
    auto keys = MakeStaticCredentials(target().alicom_key_id,
                                      target().alicom_key_secret);
    sms_ = std::make_shared<AlicomClient>(
        ClientOptions{.endpoint = target().pop_endpoint, .credentials = keys});
    tokens_client_ = std::make_shared<AlicomClient>(ClientOptions{
        .endpoint = target().token_endpoint, .credentials = keys});
  }

  std::string QueueOf(const std::string& type) const {
    return "Alicom-Queue-" + target().alicom_uid + "-" + type;
  }

  // An MnsClient on the Alicom queues, signing with `type`'s token.
  std::shared_ptr<MnsClient> QueueClient(
      std::shared_ptr<AlicomTokenProvider> tokens) const {
    return std::make_shared<MnsClient>(ClientOptions{
        .endpoint = target().alicom_mns_endpoint, .credentials = tokens});
  }

  std::shared_ptr<AlicomTokenProvider> Tokens(const std::string& type) const {
    return std::make_shared<AlicomTokenProvider>(
        tokens_client_, type, AlicomTokenProvider::Options{});
  }

  StatusOr<SendSmsResult> Send(const std::string& phone) {
    return sms_->SendSms({.phone_numbers = {phone},
                          .sign_name = target().sign_name,
                          .template_code = target().template_code,
                          .template_param = target().template_param});
  }

  // Long-polls `queue` until `wanted` accepts a message, which is deleted;
  // other messages are released at once for their own consumers.
  template <typename Wanted>
  std::optional<Message> ReceiveMatching(MnsClient& queues,
                                         const std::string& queue,
                                         Wanted wanted) {
    std::optional<Message> found;
    Eventually(
        [&] {
          auto batch = queues.BatchReceiveMessage(queue, 16, 5);
          if (!batch.ok()) return false;
          for (const Message& m : *batch) {
            if (!found && wanted(m)) {
              found = m;
              EXPECT_TRUE(queues.DeleteMessage(queue, m.receipt_handle).ok());
            } else {
              (void)queues.ChangeMessageVisibility(queue, m.receipt_handle, 1);
            }
          }
          return found.has_value();
        },
        Duration(120'000), Duration(0));
    return found;
  }

  std::shared_ptr<AlicomClient> sms_;
  std::shared_ptr<AlicomClient> tokens_client_;
};

CONFORMANCE_TEST(Alicom, TokenOpensTheAccountsReportQueue,
                 "QueryTokenForMnsQueue", unverified()) {
  auto token = tokens_client_->QueryTokenForMnsQueue("SmsReport");
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_FALSE(token->security_token.empty());
  // Long enough for every known consumer (the Node SDK assumes 10 minutes).
  EXPECT_GT(token->expire_time - token->create_time, std::chrono::minutes(10));
  auto queues = QueueClient(Tokens("SmsReport"));
  auto polled = queues->ReceiveMessage(QueueOf("SmsReport"), 0);
  EXPECT_TRUE(polled.ok() || polled.status().error_code() == "MessageNotExist")
      << polled.status();
  if (polled.ok()) {  // someone's receipt: give it back
    (void)queues->ChangeMessageVisibility(QueueOf("SmsReport"),
                                          polled->receipt_handle, 1);
  }
}

// A token is for one queue (spec alicom §3); the code for using it on
// another is the emulator's choice, AccessDenied ("AK valid but not for this
// ..." in spec mns §6.2). A live run settles it.
CONFORMANCE_TEST(Alicom, TokenOpensNoOtherQueue, "QueryTokenForMnsQueue",
                 unverified()) {
  auto queues = QueueClient(Tokens("SmsReport"));
  auto status = queues->ReceiveMessage(QueueOf("SmsUp"), 0).status();
  EXPECT_EQ(status.error_code(), "AccessDenied") << status;
}

CONFORMANCE_TEST(Alicom, AnExpiredTokenIsRefusedAndANewOneWorks,
                 "QueryTokenForMnsQueue",
                 emulator_only("needs virtual time to outlive the token")) {
  auto tokens = Tokens("SmsReport");
  auto queues = QueueClient(tokens);
  ASSERT_TRUE(tokens->Get().ok());
  ASSERT_TRUE(AdvanceEmulatorClock(std::chrono::minutes(61)).ok());
  // The provider measures expiry on this host's clock, which did not move.
  auto status = queues->ReceiveMessage(QueueOf("SmsReport"), 0).status();
  EXPECT_EQ(status.error_code(), "SecurityTokenExpired") << status;
  ASSERT_TRUE(tokens->Refresh().ok());
  status = queues->ReceiveMessage(QueueOf("SmsReport"), 0).status();
  EXPECT_TRUE(status.ok() || status.error_code() == "MessageNotExist")
      << status;
}

CONFORMANCE_TEST(Alicom, ASentSmsIsReportedAndTheReportDeleted, "SmsReport",
                 unverified()) {
  auto sent = Send(target().phone_number);
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_FALSE(sent->biz_id.empty());
  auto queues = QueueClient(Tokens("SmsReport"));
  auto found =
      ReceiveMatching(*queues, QueueOf("SmsReport"), [&](const Message& m) {
        auto r = ParseSmsReport(m.body);
        return r.ok() && r->biz_id == sent->biz_id;
      });
  ASSERT_TRUE(found.has_value()) << "no SmsReport for " << sent->biz_id;
  auto report = ParseSmsReport(found->body);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->phone_number, target().phone_number);
  EXPECT_FALSE(report->send_time.empty());
  EXPECT_FALSE(report->report_time.empty());
  EXPECT_FALSE(report->err_code.empty());
}

CONFORMANCE_TEST(Alicom, QuerySendDetailsFindsTheSend, "QuerySendDetails",
                 unverified()) {
  auto sent = Send(target().phone_number);
  ASSERT_TRUE(sent.ok()) << sent.status();
  const std::string day = BeijingSendDate(TargetNow());
  std::optional<SmsSendDetail> detail;
  ASSERT_TRUE(Eventually(
      [&] {
        auto page =
            sms_->QuerySendDetails({.phone_number = target().phone_number,
                                    .send_date = day,
                                    .biz_id = sent->biz_id});
        if (!page.ok() || page->details.empty()) return false;
        detail = page->details.front();
        return true;
      },
      Duration(60'000), Duration(1000)));
  EXPECT_EQ(detail->phone_number, target().phone_number);
  EXPECT_EQ(detail->template_code, target().template_code);
  EXPECT_FALSE(detail->send_date.empty());
}

CONFORMANCE_TEST(Alicom, AnInjectedReplyArrivesAsSmsUp, "SmsUp",
                 emulator_only("replies are injected through a control")) {
  ASSERT_TRUE(Send("13800000077").ok());
  ASSERT_TRUE(InjectEmulatorSmsUp("13800000077", "TD").ok());
  auto queues = QueueClient(Tokens("SmsUp"));
  auto found = ReceiveMatching(*queues, QueueOf("SmsUp"), [](const Message& m) {
    auto up = ParseSmsUp(m.body);
    return up.ok() && up->phone_number == "13800000077";
  });
  ASSERT_TRUE(found.has_value());
  auto up = ParseSmsUp(found->body);
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->content, "TD");
  EXPECT_EQ(up->sign_name, target().sign_name);
}

CONFORMANCE_TEST(Alicom, ANeverReportedSendIsResolvedByQuerySendDetails,
                 "QuerySendDetails",
                 emulator_only("scripts a receipt that never comes")) {
  ASSERT_TRUE(SetEmulatorRules(R"([{"phone":"13900000009","outcome":"failed",)"
                               R"("err_code":"MK:0001","reports":0}])")
                  .ok());
  auto clock = std::make_shared<SimulatedClock>(TargetNow());
  ReceiptReconciler reconciler(sms_, {.clock = clock});
  std::vector<ReceiptReconciler::Outcome> outcomes;
  reconciler.OnOutcome(
      [&](const ReceiptReconciler::Outcome& o) { outcomes.push_back(o); });
  auto sent = Send("13900000009");
  ASSERT_TRUE(sent.ok()) << sent.status();
  reconciler.Track(sent->biz_id, {"13900000009"}, clock->Now());
  // The record settles after the emulator's receipt delay; the reconciler
  // asks once its own deadline has passed.
  ASSERT_TRUE(AdvanceEmulatorClock(std::chrono::seconds(5)).ok());
  clock->Advance(std::chrono::minutes(10));
  auto pass = reconciler.ReconcileDue();
  EXPECT_EQ(pass.queried, 1);
  EXPECT_EQ(pass.resolved, 1) << pass.last_error;
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].status, SendStatus::kFailed);
  EXPECT_EQ(outcomes[0].err_code, "MK:0001");
  EXPECT_EQ(outcomes[0].resolved_by, ReceiptReconciler::ResolvedBy::kQuery);
  ASSERT_TRUE(SetEmulatorRules("[]").ok());
}

}  // namespace
}  // namespace mns::conformance
