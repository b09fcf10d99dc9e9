// Built against the installed tree only (ci/downstream.sh): the public
// client headers, the embedding API and its test base.
#include "emulator/testing/emulator_test_base.h"
#include "mns/emulator.h"
#include "mns/mns_client.h"

class DownstreamTest : public mns::emulator::testutil::EmulatorTest {};

TEST_F(DownstreamTest, SendsAndReceivesThroughTheInstalledPackage) {
  mns::MnsClient queues(
      {.endpoint = emulator().endpoint(),
       .credentials = mns::MakeStaticCredentials(
           emulator().access_key_id(), emulator().access_key_secret())});
  ASSERT_TRUE(queues.CreateQueue("downstream").ok());
  ASSERT_TRUE(queues.SendMessage("downstream", {.body = "hello"}).ok());
  auto got = queues.ReceiveMessage("downstream", 0);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->body, "hello");
}
