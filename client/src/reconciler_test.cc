// ReceiptReconciler over an AlicomClient whose transport answers
// QuerySendDetails from a table, on a SimulatedClock.
#include "mns/reconciler.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "client/src/transport.h"

namespace mns {
namespace {

using internal::HttpCall;
using internal::HttpReply;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Outcome = ReceiptReconciler::Outcome;
using ResolvedBy = ReceiptReconciler::ResolvedBy;

// 2024-03-01 12:00:00 Beijing.
const TimePoint kSent = FromUnixMillis(1'709'265'600'000);

// Answers QuerySendDetails with the SendStatus set for the BizId in the
// query ("1", "2", "3"), no record for an unknown one, or a 503.
class SendDetailsTransport : public internal::Transport {
 public:
  StatusOr<HttpReply> Send(const HttpCall& call) override {
    targets.push_back(call.target);
    if (down) return HttpReply{.status = 503, .body = R"({"Code":"Busy"})"};
    const size_t at = call.target.find("BizId=");
    const std::string biz_id =
        call.target.substr(at + 6, call.target.find('&', at) - at - 6);
    std::string records;
    if (auto it = status.find(biz_id); it != status.end()) {
      records = R"({"PhoneNum":"13800000000","SendStatus":)" + it->second +
                R"(,"ErrCode":")" + (it->second == "3" ? "DELIVRD" : "") +
                (it->second == "2" ? "MK:0001" : "") + R"("})";
    }
    return HttpReply{.status = 200,
                     .body = R"({"Code":"OK","RequestId":"R","TotalCount":)" +
                             std::to_string(records.empty() ? 0 : 1) +
                             R"(,"SmsSendDetailDTOs":{"SmsSendDetailDTO":[)" +
                             records + "]}}"};
  }
  std::map<std::string, std::string> status;
  std::vector<std::string> targets;
  bool down = false;
};

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() {
    auto client = std::make_shared<AlicomClient>(
        ClientOptions{.endpoint = "http://unused",
                      .credentials = MakeStaticCredentials("ak", "sk"),
                      .retry = {.max_attempts = 1}},
        transport_);
    reconciler_ = std::make_unique<ReceiptReconciler>(
        client, ReceiptReconciler::Options{.clock = clock_});
    reconciler_->OnOutcome(
        [this](const Outcome& outcome) { outcomes_.push_back(outcome); });
  }

  static SmsReport Receipt(const std::string& biz_id, bool success = true) {
    return {.phone_number = "13800000000",
            .success = success,
            .biz_id = biz_id,
            .err_code = success ? "DELIVERED" : "MK:0001"};
  }

  std::shared_ptr<SendDetailsTransport> transport_ =
      std::make_shared<SendDetailsTransport>();
  std::shared_ptr<SimulatedClock> clock_ =
      std::make_shared<SimulatedClock>(kSent);
  std::unique_ptr<ReceiptReconciler> reconciler_;
  std::vector<Outcome> outcomes_;
};

TEST_F(ReconcilerTest, AReceiptInTimeResolvesWithoutAQuery) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  EXPECT_TRUE(reconciler_->OnReceipt(Receipt("B1")));
  clock_->Advance(std::chrono::hours(1));
  EXPECT_EQ(reconciler_->ReconcileDue().queried, 0);
  EXPECT_THAT(transport_->targets, IsEmpty());
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].status, SendStatus::kDelivered);
  EXPECT_EQ(outcomes_[0].resolved_by, ResolvedBy::kReceipt);
  EXPECT_EQ(reconciler_->pending(), 0u);
}

TEST_F(ReconcilerTest, NothingIsQueriedBeforeTheDeadline) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  clock_->Advance(std::chrono::minutes(10) - Duration(1));
  EXPECT_EQ(reconciler_->ReconcileDue().queried, 0);
  clock_->Advance(Duration(1));
  transport_->status["B1"] = "3";
  EXPECT_EQ(reconciler_->ReconcileDue().queried, 1);
}

TEST_F(ReconcilerTest,
       AMissingReceiptIsResolvedByTheQueryAndItsLateCopyIsADuplicate) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  transport_->status["B1"] = "2";
  clock_->Advance(std::chrono::minutes(10));
  auto pass = reconciler_->ReconcileDue();
  EXPECT_EQ(pass.queried, 1);
  EXPECT_EQ(pass.resolved, 1);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].status, SendStatus::kFailed);
  EXPECT_EQ(outcomes_[0].err_code, "MK:0001");
  EXPECT_EQ(outcomes_[0].resolved_by, ResolvedBy::kQuery);
  // The query names the number, the Beijing send day and the BizId.
  EXPECT_THAT(transport_->targets[0], HasSubstr("PhoneNumber=13800000000"));
  EXPECT_THAT(transport_->targets[0], HasSubstr("SendDate=20240301"));
  EXPECT_THAT(transport_->targets[0], HasSubstr("BizId=B1"));

  EXPECT_FALSE(reconciler_->OnReceipt(Receipt("B1", false)));
  EXPECT_EQ(outcomes_.size(), 1u);
}

TEST_F(ReconcilerTest, AReceiptDeliveredTwiceIsReportedOnce) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  EXPECT_TRUE(reconciler_->OnReceipt(Receipt("B1")));
  EXPECT_FALSE(reconciler_->OnReceipt(Receipt("B1")));
  EXPECT_EQ(outcomes_.size(), 1u);
}

TEST_F(ReconcilerTest, WaitingIsAskedAgainUntilFinal) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  transport_->status["B1"] = "1";
  clock_->Advance(std::chrono::minutes(10));
  EXPECT_EQ(reconciler_->ReconcileDue().waiting, 1);
  // Not again until the requery interval has passed.
  clock_->Advance(std::chrono::minutes(4));
  EXPECT_EQ(reconciler_->ReconcileDue().queried, 0);
  clock_->Advance(std::chrono::minutes(1));
  transport_->status["B1"] = "3";
  EXPECT_EQ(reconciler_->ReconcileDue().resolved, 1);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].status, SendStatus::kDelivered);
  EXPECT_EQ(outcomes_[0].err_code, "DELIVRD");
  EXPECT_EQ(transport_->targets.size(), 2u);
}

TEST_F(ReconcilerTest, NoRecordYetCountsAsWaiting) {
  reconciler_->Track("B9", {"13800000000"}, kSent);
  clock_->Advance(std::chrono::minutes(10));
  auto pass = reconciler_->ReconcileDue();
  EXPECT_EQ(pass.waiting, 1);
  EXPECT_EQ(reconciler_->pending(), 1u);
}

TEST_F(ReconcilerTest, AFailedQueryIsRetriedLaterAndNothingIsLost) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  transport_->down = true;
  clock_->Advance(std::chrono::minutes(10));
  auto pass = reconciler_->ReconcileDue();
  EXPECT_EQ(pass.errors, 1);
  EXPECT_EQ(pass.last_error.error_code(), "Busy");
  EXPECT_EQ(reconciler_->pending(), 1u);
  transport_->down = false;
  transport_->status["B1"] = "3";
  clock_->Advance(std::chrono::minutes(5));
  EXPECT_EQ(reconciler_->ReconcileDue().resolved, 1);
}

TEST_F(ReconcilerTest, ASendStillWaitingIsGivenUpAfterItsLimit) {
  reconciler_->Track("B1", {"13800000000"}, kSent);
  transport_->status["B1"] = "1";
  clock_->Advance(std::chrono::hours(72));
  auto pass = reconciler_->ReconcileDue();
  EXPECT_EQ(pass.gave_up, 1);
  ASSERT_EQ(outcomes_.size(), 1u);
  EXPECT_EQ(outcomes_[0].status, SendStatus::kWaiting);
  EXPECT_EQ(outcomes_[0].resolved_by, ResolvedBy::kGaveUp);
  EXPECT_EQ(reconciler_->pending(), 0u);
}

TEST_F(ReconcilerTest, EachNumberOfABatchIsResolvedOnItsOwn) {
  reconciler_->Track("B1", {"13800000000", "13800000001"}, kSent);
  SmsReport first = Receipt("B1");
  EXPECT_TRUE(reconciler_->OnReceipt(first));
  EXPECT_EQ(reconciler_->pending(), 1u);
  transport_->status["B1"] = "3";
  clock_->Advance(std::chrono::minutes(10));
  EXPECT_EQ(reconciler_->ReconcileDue().queried, 1);
  EXPECT_THAT(transport_->targets,
              ElementsAre(HasSubstr("PhoneNumber=13800000001")));
  EXPECT_EQ(outcomes_.size(), 2u);
}

TEST_F(ReconcilerTest, AReceiptBeforeTrackStopsTheTracking) {
  EXPECT_TRUE(reconciler_->OnReceipt(Receipt("B1")));
  reconciler_->Track("B1", {"13800000000"}, kSent);
  EXPECT_EQ(reconciler_->pending(), 0u);
}

TEST_F(ReconcilerTest, ResolvedPairsAreForgottenAfterTheirTime) {
  EXPECT_TRUE(reconciler_->OnReceipt(Receipt("B1")));
  clock_->Advance(std::chrono::hours(72));
  EXPECT_TRUE(reconciler_->OnReceipt(Receipt("B1")));
}

}  // namespace
}  // namespace mns
