#include "emulator/http/pop_errors.h"

#include <gtest/gtest.h>

namespace mns::emulator {
namespace {

TEST(PopErrorTest, TheTableDecidesKindAndStatus) {
  EXPECT_EQ(PopError("InvalidAccessKeyId.NotFound").http_status, 404);
  EXPECT_EQ(PopError("InvalidAction.NotFound").http_status, 404);
  EXPECT_EQ(PopError("SignatureDoesNotMatch").kind, PopErrorKind::kGateway);
  EXPECT_EQ(PopError("ServiceUnavailable").http_status, 503);
  const PopErrorInfo business = PopError("isv.MOBILE_NUMBER_ILLEGAL");
  EXPECT_EQ(business.kind, PopErrorKind::kBusiness);
  EXPECT_EQ(business.http_status, 200);
}

TEST(PopErrorTest, CodesOutsideTheTableFollowTheCloudsPrefixes) {
  EXPECT_EQ(PopError("isp.RAM_PERMISSION_DENY").kind, PopErrorKind::kBusiness);
  EXPECT_EQ(PopError("isv.SOMETHING_NEW").http_status, 200);
  const PopErrorInfo unknown = PopError("Something.Else");
  EXPECT_EQ(unknown.kind, PopErrorKind::kGateway);
  EXPECT_EQ(unknown.http_status, 400);
}

}  // namespace
}  // namespace mns::emulator
