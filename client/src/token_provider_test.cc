#include "mns/token_provider.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace mns {
namespace {

const TimePoint kT0 = FromUnixMillis(1'704'074'400'000);

class TokenProviderTest : public ::testing::Test {
 protected:
  std::shared_ptr<SimulatedClock> clock_ =
      std::make_shared<SimulatedClock>(kT0);
  std::atomic<int> fetches_{0};

  AlicomTokenProvider::Fetch Issuing(Duration lifetime) {
    return [this, lifetime]() -> StatusOr<MessageToken> {
      int n = ++fetches_;
      return MessageToken{.access_key_id = "STS." + std::to_string(n),
                          .access_key_secret = "s",
                          .security_token = "t",
                          .create_time = clock_->Now(),
                          .expire_time = clock_->Now() + lifetime};
    };
  }
};

TEST_F(TokenProviderTest, RefreshesOnlyWithinTwoMinutesOfExpiry) {
  AlicomTokenProvider provider(Issuing(std::chrono::minutes(60)),
                               {.clock = clock_});
  EXPECT_EQ(provider.Get()->access_key_id, "STS.1");
  clock_->Advance(std::chrono::minutes(57) + std::chrono::seconds(59));
  EXPECT_EQ(provider.Get()->access_key_id, "STS.1");  // 2 min 1 s left
  clock_->Advance(std::chrono::seconds(1));
  EXPECT_EQ(provider.Get()->access_key_id, "STS.2");  // exactly 2 min left
  clock_->Advance(std::chrono::minutes(61));
  EXPECT_EQ(provider.Get()->access_key_id, "STS.3");  // long expired
}

TEST_F(TokenProviderTest, AShortLivedTokenIsRefreshedEveryTime) {
  // A lifetime under the buffer: never "fresh", so every Get refetches,
  // rather than assuming the 10 minutes the Node.js SDK assumes.
  AlicomTokenProvider provider(Issuing(std::chrono::seconds(60)),
                               {.clock = clock_});
  EXPECT_EQ(provider.Get()->access_key_id, "STS.1");
  EXPECT_EQ(provider.Get()->access_key_id, "STS.2");
}

TEST_F(TokenProviderTest, AFailedRefreshKeepsAStillValidToken) {
  bool fail = false;
  auto issue = Issuing(std::chrono::minutes(60));
  AlicomTokenProvider provider(
      [&]() -> StatusOr<MessageToken> {
        if (fail) return Status(StatusCode::kUnavailable, "down");
        return issue();
      },
      {.clock = clock_});
  ASSERT_TRUE(provider.Get().ok());
  fail = true;
  clock_->Advance(std::chrono::minutes(59));  // within the buffer, not expired
  auto kept = provider.Get();
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->access_key_id, "STS.1");
  clock_->Advance(std::chrono::minutes(1));  // now expired
  auto none = provider.Get();
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(none.status().message().find("down"), std::string::npos);
  fail = false;
  EXPECT_EQ(provider.Get()->access_key_id, "STS.2");
}

TEST_F(TokenProviderTest, OneRefreshAtATime) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto issue = Issuing(std::chrono::minutes(60));
  AlicomTokenProvider provider(
      [&]() -> StatusOr<MessageToken> {
        released.wait();
        return issue();
      },
      {.clock = clock_});
  std::vector<std::future<StatusOr<Credentials>>> callers;
  for (int i = 0; i < 8; ++i) {
    callers.push_back(
        std::async(std::launch::async, [&] { return provider.Get(); }));
  }
  release.set_value();
  for (auto& c : callers) EXPECT_EQ(c.get()->access_key_id, "STS.1");
  EXPECT_EQ(fetches_.load(), 1);
}

}  // namespace
}  // namespace mns
