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

TEST(PopErrorTest, FixedTextsComeFromTheTable) {
  // The core says only the code; the wire text is the table's.
  const Status from_core(StatusCode::kInvalidArgument, "",
                         "isv.MOBILE_NUMBER_ILLEGAL");
  EXPECT_EQ(PopWireMessage(from_core), "非法手机号");
  EXPECT_EQ(PopWireMessage(PopErrorStatus("InvalidVersion")),
            "Specified parameter Version is not valid.");
  // A text that names a value travels in the Status.
  EXPECT_EQ(PopWireMessage(PopMissingParameterError("Action")),
            "The input parameter \"Action\" that is mandatory for processing "
            "this request is not supplied.");
  EXPECT_EQ(PopWireMessage(PopErrorStatus("Something.Else")), "");
}

TEST(PopErrorTest, AStatusCodeFollowsTheRowsHttpStatus) {
  EXPECT_EQ(PopErrorStatus("InvalidAccessKeyId.NotFound").code(),
            StatusCode::kNotFound);
  EXPECT_EQ(PopErrorStatus("Forbidden.RAM").code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(PopErrorStatus("InternalError").code(), StatusCode::kUnavailable);
  EXPECT_EQ(PopErrorStatus("ServiceUnavailable").code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(PopErrorStatus("SignatureNonceUsed").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PopErrorStatus("isv.INVALID_PARAMETERS").error_code(),
            "isv.INVALID_PARAMETERS");
}

}  // namespace
}  // namespace mns::emulator
