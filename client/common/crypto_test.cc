#include "mns/common/crypto.h"

#include <gtest/gtest.h>

namespace mns {
namespace {

TEST(CryptoTest, HmacSha1MatchesRfc2202) {
  EXPECT_EQ(HexLower(HmacSha1("Jefe", "what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(CryptoTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HexLower(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CryptoTest, Md5OfMessageBodyIsUppercaseHex) {
  // spec mns §3.7: the Python SDK's fixture body and its MessageBodyMD5.
  EXPECT_EQ(HexUpper(Md5("I am 测试字符串.")),
            "9D75198CAA17528AB23790C1861987AF");
}

TEST(CryptoTest, Base64RoundTripsEveryPaddingLength) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "\x00\xff\x10"}) {
    auto decoded = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(decoded.has_value()) << s;
    EXPECT_EQ(*decoded, s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
}

TEST(CryptoTest, Base64DecodeRejectsBadInput) {
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("ab$=").has_value());
}

}  // namespace
}  // namespace mns
