// The README's "Embedding the emulator in C++ tests" example, compiled and
// run, so that the README cannot drift from the API.
#include "emulator/testing/emulator_test_base.h"
#include "mns/mns_client.h"

class OrdersTest : public mns::emulator::testutil::EmulatorTest {};

TEST_F(OrdersTest, ADelayedOrderArrivesAnHourLater) {
  mns::MnsClient queues(
      {.endpoint = emulator().endpoint(),
       .credentials = mns::MakeStaticCredentials(
           emulator().access_key_id(), emulator().access_key_secret())});
  ASSERT_TRUE(queues.CreateQueue("orders").ok());
  ASSERT_TRUE(
      queues.SendMessage("orders", {.body = "o-1", .delay_seconds = 3600})
          .ok());
  EXPECT_FALSE(queues.ReceiveMessage("orders", 0).ok());
  emulator().AdvanceClock(std::chrono::hours(1));
  EXPECT_EQ(queues.ReceiveMessage("orders", 0)->body, "o-1");
}
