#include "mns/common/strings.h"

#include <gtest/gtest.h>

namespace mns {
namespace {

TEST(StringsTest, TrimsAsciiWhitespaceOnBothEnds) {
  EXPECT_EQ(TrimAsciiWhitespace(" \t a b \r\n"), "a b");
  EXPECT_EQ(TrimAsciiWhitespace("   "), "");
}

TEST(StringsTest, ComparesWithoutCase) {
  EXPECT_TRUE(EqualsIgnoreCase("X-MNS-Date", "x-mns-date"));
  EXPECT_FALSE(EqualsIgnoreCase("x-mns-date", "x-mns-dat"));
  EXPECT_TRUE(
      StartsWithIgnoreCase("Application/X-WWW-Form-Urlencoded; charset=utf-8",
                           "application/x-www-form-urlencoded"));
  EXPECT_FALSE(StartsWithIgnoreCase("text", "text/xml"));
  EXPECT_EQ(AsciiLower("X-MNS-abcDEF"), "x-mns-abcdef");
}

}  // namespace
}  // namespace mns
