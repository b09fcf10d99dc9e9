// The conformance suite's frame: the target it runs against (the built
// emulator, or live Alibaba Cloud when credentials are given), the parity
// marker every test carries, and the fixture that gives each test its own
// queues and removes them afterwards.
//
// Write tests as
//
//   CONFORMANCE_TEST(QueueTest, CreateTwiceWithSameAttributes, "CreateQueue",
//                    unverified()) { ... }
//
// with exactly one marker: cloud_verified("YYYY-MM-DD") once it has passed
// against live on that date, emulator_only("why") when it needs a control
// the cloud lacks (it is skipped against live), or unverified(). Plain
// TEST/TEST_F are poisoned below, so a test without a marker does not build.
#ifndef MNS_CONFORMANCE_CONFORMANCE_H_
#define MNS_CONFORMANCE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mns/alicom_client.h"
#include "mns/common/clock.h"
#include "mns/common/status.h"
#include "mns/common/testing/eventually.h"
#include "mns/mns_client.h"

namespace mns::conformance {

struct Marker {
  enum class Kind { kCloudVerified, kEmulatorOnly, kUnverified };
  Kind kind;
  std::string note;  // the date, or why it is emulator-only
};

inline Marker cloud_verified(const char* date) {
  return {Marker::Kind::kCloudVerified, date};
}
inline Marker emulator_only(const char* why) {
  return {Marker::Kind::kEmulatorOnly, why};
}
inline Marker unverified() { return {Marker::Kind::kUnverified, ""}; }

std::string MarkerName(const Marker& marker);

struct Registration {
  std::string operation;
  Marker marker;
};

// Called once per test by CONFORMANCE_TEST, at static initialisation.
bool RegisterTest(const std::string& full_name, const std::string& operation,
                  Marker marker);
// The registration of "Suite.Name"; null for an unregistered test.
const Registration* FindRegistration(const std::string& full_name);

// Where the suite runs. Built once by main() from the environment.
struct Target {
  bool live = false;
  std::string mns_endpoint;
  std::string access_key_id;
  std::string access_key_secret;
  // The Alicom part: set when it can run (always against the emulator;
  // against live only with ALICOM_* credentials).
  bool alicom = false;
  std::string alicom_skip_reason;
  std::string pop_endpoint;    // Dysmsapi
  std::string token_endpoint;  // Dybaseapi
  std::string alicom_mns_endpoint;
  std::string alicom_key_id;
  std::string alicom_key_secret;
  std::string alicom_uid;
  std::string phone_number;  // where the live suite may send one SMS
  std::string sign_name;
  std::string template_code;
  std::string template_param;
  // A short unique tag for this run; every queue it creates starts with
  // kQueuePrefix + run_id.
  std::string run_id;
};

inline constexpr char kQueuePrefix[] = "mnsconf-";

const Target& target();
void SetTarget(Target target);

// The emulator's controls (virtual time, SMS rules, replies); only for
// emulator_only tests. Each returns the control's HTTP status or an error.
Status AdvanceEmulatorClock(Duration by);
Status SetEmulatorRules(const std::string& rules_json);
Status InjectEmulatorSmsUp(const std::string& phone, const std::string& text);
// The host and port of an "http://host:port" endpoint (the emulator's).
std::pair<std::string, int> HostAndPort(std::string_view endpoint);

// Drops every queue and message and recreates the configured ones.
Status ResetEmulator();

// The target's time: the emulator's (virtual) clock, or this host's.
TimePoint TargetNow();

// Deletes queues whose names say they were left by a run that started over
// an hour ago (a crashed one); returns how many it removed.
StatusOr<int> RemoveAbandonedQueues(MnsClient& client, TimePoint now);

using ::mns::testutil::Eventually;

class ConformanceTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // A new queue for this test, removed at its end.
  std::string NewQueue(const QueueAttributes& attributes = {});
  // A queue name that is unique to this test but not created.
  std::string QueueName();

  // Signs with the target's keys.
  MnsClient& mns() { return *mns_; }
  // A client with other options (a wrong secret, a skewed clock...).
  std::unique_ptr<MnsClient> Client(ClientOptions options) const;
  ClientOptions DefaultOptions() const;

 private:
  std::unique_ptr<MnsClient> mns_;
  std::vector<std::string> queues_;
};

}  // namespace mns::conformance

// TEST_F's own expansion, so that TEST_F itself can be poisoned below.
#define CONFORMANCE_TEST(fixture, name, operation, marker)            \
  static const bool conformance_registered_##fixture##_##name =       \
      ::mns::conformance::RegisterTest(#fixture "." #name, operation, \
                                       ::mns::conformance::marker);   \
  GTEST_TEST_(fixture, name, fixture, ::testing::internal::GetTypeId<fixture>())

// Every test must go through CONFORMANCE_TEST: a test without a marker is a
// build error ("attempt to use poisoned TEST_F").
#undef TEST
#undef TEST_F
#undef TEST_P
#undef GTEST_TEST
#pragma GCC poison TEST TEST_F TEST_P GTEST_TEST

#endif  // MNS_CONFORMANCE_CONFORMANCE_H_
