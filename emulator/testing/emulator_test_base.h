// EmulatorTest: a GoogleTest fixture base that gives each test suite one
// in-process emulator (Emulator::Start() with the embedded defaults) and
// each test a fresh state. Link mns_emulator and derive:
//
//   class OrdersTest : public mns::emulator::testutil::EmulatorTest {};
//   TEST_F(OrdersTest, Works) { UseEndpoint(emulator().endpoint()); }
//
// Before every test the emulator is Reset(): no queue, message or SMS
// record survives from the test before. The clock stays where that test
// left it, as with the HTTP reset control.
#ifndef MNS_EMULATOR_TESTING_EMULATOR_TEST_BASE_H_
#define MNS_EMULATOR_TESTING_EMULATOR_TEST_BASE_H_

#include <gtest/gtest.h>

#include <memory>

#include "mns/emulator.h"

namespace mns::emulator::testutil {

class EmulatorTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    auto started = Emulator::Start();
    ASSERT_TRUE(started.ok()) << started.status().message();
    Shared() = std::move(started).value();
  }
  static void TearDownTestSuite() { Shared().reset(); }

 protected:
  void SetUp() override {
    ASSERT_NE(Shared(), nullptr) << "the emulator did not start";
    Shared()->Reset();
  }
  static Emulator& emulator() { return *Shared(); }

 private:
  static std::unique_ptr<Emulator>& Shared() {
    static std::unique_ptr<Emulator> emulator;
    return emulator;
  }
};

}  // namespace mns::emulator::testutil

#endif  // MNS_EMULATOR_TESTING_EMULATOR_TEST_BASE_H_
