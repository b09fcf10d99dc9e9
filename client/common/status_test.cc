#include "mns/common/status.h"

#include <gtest/gtest.h>

namespace mns {
namespace {

StatusOr<int> Half(int n) {
  if (n % 2 != 0) return Status(StatusCode::kInvalidArgument, "odd");
  return n / 2;
}

StatusOr<int> Quarter(int n) {
  MNS_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

TEST(StatusTest, CarriesProtocolCodeAndRequestId) {
  Status s =
      Status(StatusCode::kNotFound, "Message not exist.", "MessageNotExist")
          .set_request_id("ABC");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error_code(), "MessageNotExist");
  EXPECT_EQ(s.ToString(),
            "NOT_FOUND MessageNotExist: Message not exist. (request id ABC)");
}

TEST(StatusTest, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_EQ(Quarter(5).status().code(), StatusCode::kInvalidArgument);
}

TEST(StatusCodeTest, OneMappingForEveryClient) {
  EXPECT_EQ(StatusCodeForHttpStatus(400), StatusCode::kInvalidArgument);
  EXPECT_EQ(StatusCodeForHttpStatus(401), StatusCode::kUnauthenticated);
  EXPECT_EQ(StatusCodeForHttpStatus(403), StatusCode::kPermissionDenied);
  EXPECT_EQ(StatusCodeForHttpStatus(404), StatusCode::kNotFound);
  EXPECT_EQ(StatusCodeForHttpStatus(409), StatusCode::kAlreadyExists);
  EXPECT_EQ(StatusCodeForHttpStatus(429), StatusCode::kResourceExhausted);
  EXPECT_EQ(StatusCodeForHttpStatus(503), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForHttpStatus(418), StatusCode::kUnknown);
}

}  // namespace
}  // namespace mns
