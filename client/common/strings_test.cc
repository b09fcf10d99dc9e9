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

TEST(GlobTest, StarAndQuestionMark) {
  EXPECT_TRUE(
      GlobMatches("Alicom-Queue-*-SmsReport", "Alicom-Queue-123-SmsReport"));
  EXPECT_TRUE(GlobMatches("q?", "q1"));
  EXPECT_FALSE(GlobMatches("q?", "q12"));
  EXPECT_TRUE(GlobMatches("*", ""));
  EXPECT_TRUE(GlobMatches("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(GlobMatches("a*b*c", "aXXbYY"));
  EXPECT_FALSE(GlobMatches("orders", "orders2"));
  // Many stars on a long miss end quickly (no exponential backtracking).
  EXPECT_FALSE(GlobMatches(std::string(50, '*') + "x", std::string(5000, 'a')));
}

}  // namespace
TEST(LoopbackHostTest, KnowsWhatIsLoopback) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  // A name that only starts like a loopback address is a name.
  EXPECT_FALSE(IsLoopbackHost("127.evil.example"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1.evil.example"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0."));
  EXPECT_FALSE(IsLoopbackHost("127..0.1"));
  EXPECT_FALSE(IsLoopbackHost("127.0.0.1000"));
}

TEST(SplitHttpUrlTest, CutsWhereTheAuthorityEnds) {
  auto url = SplitHttpUrl("HTTPS://h:8/p?q#frag");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->origin, "HTTPS://h:8");
  EXPECT_EQ(url->authority, "h:8");
  EXPECT_EQ(url->host, "h");
  EXPECT_EQ(url->target, "/p?q");
  EXPECT_EQ(SplitHttpUrl("http://h")->target, "");
  EXPECT_EQ(SplitHttpUrl("http://h?x=1")->target, "?x=1");
  EXPECT_EQ(SplitHttpUrl("http://[::1]:9/")->host, "::1");
  EXPECT_EQ(SplitHttpUrl("http://")->authority, "");
  EXPECT_FALSE(SplitHttpUrl("ftp://h/"));
  EXPECT_FALSE(SplitHttpUrl("/queues"));
}

}  // namespace mns
