#include "mns/common/time_format.h"

#include <gtest/gtest.h>

#include "mns/common/testing/scoped_time_zone.h"

namespace mns {
namespace {

// 2017-04-11T10:09:19Z, the date of the Node.js SDK's signing test.
const TimePoint kT = FromUnixMillis(1491905359000);

TEST(TimeFormatTest, HttpDateRoundTrips) {
  EXPECT_EQ(FormatHttpDate(kT), "Tue, 11 Apr 2017 10:09:19 GMT");
  EXPECT_EQ(ParseHttpDate("Tue, 11 Apr 2017 10:09:19 GMT"), kT);
}

TEST(TimeFormatTest, HttpDateAcceptsObsoleteFormsAndAnyCase) {
  EXPECT_EQ(ParseHttpDate("Tuesday, 11-Apr-17 10:09:19 GMT"), kT);
  EXPECT_EQ(ParseHttpDate("Tue Apr 11 10:09:19 2017"), kT);
  EXPECT_EQ(ParseHttpDate("tue, 11 APR 2017 10:09:19 GMT"), kT);
}

TEST(TimeFormatTest, HttpDateRejectsGarbage) {
  EXPECT_FALSE(ParseHttpDate("").has_value());
  EXPECT_FALSE(ParseHttpDate("yesterday").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 11 Foo 2017 10:09:19 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 11 Apr 2017 10:09:19 PST").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 31 Apr 2017 10:09:19 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Tue, 11 Apr 2017 10:09:19 GMT junk").has_value());
  // The fuzzer's input: a year that overflowed the TimePoint.
  EXPECT_FALSE(
      ParseHttpDate("Wed, 02 Dec 99999992026 0:00:00 GMT").has_value());
  EXPECT_FALSE(ParseHttpDate("Wed, 02 Dec 10000 0:00:00 GMT").has_value());
}

TEST(TimeFormatTest, Iso8601RoundTrips) {
  EXPECT_EQ(FormatIso8601(kT), "2017-04-11T10:09:19Z");
  EXPECT_EQ(ParseIso8601("2017-04-11T10:09:19Z"), kT);
  EXPECT_FALSE(ParseIso8601("2017-04-11 10:09:19").has_value());
}

class BeijingTimeTest : public ::testing::TestWithParam<const char*> {
 protected:
  testutil::ScopedTimeZone zone_{GetParam()};
};

TEST_P(BeijingTimeTest, IsUtcPlusEightWhateverTheHostZone) {
  EXPECT_EQ(FormatBeijingTime(kT), "2017-04-11 18:09:19");
  EXPECT_EQ(ParseBeijingTime("2017-04-11 18:09:19"), kT);
  EXPECT_FALSE(ParseBeijingTime("2017-04-11T18:09:19").has_value());
}

INSTANTIATE_TEST_SUITE_P(HostZones, BeijingTimeTest,
                         ::testing::Values("UTC", "Asia/Shanghai",
                                           "America/New_York"));

}  // namespace
}  // namespace mns
