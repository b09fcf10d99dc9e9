#include "mns/common/time_format.h"

#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace mns {
namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                              "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr",
                                                 "May", "Jun", "Jul", "Aug",
                                                 "Sep", "Oct", "Nov", "Dec"};
constexpr std::chrono::hours kBeijingOffset{8};

std::tm ToUtcTm(TimePoint t) {
  std::time_t seconds = ToUnixSeconds(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

std::optional<TimePoint> FromUtcFields(int year, int month, int day, int hour,
                                       int minute, int second) {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 ||
      minute < 0 || minute > 59 || second < 0 || second > 60) {
    return std::nullopt;
  }
  // Four-digit years only: a larger one overflows the millisecond TimePoint
  // (found by the http_parsing fuzzer: "Date: Wed, 02 Dec 99999992026 ...").
  if (year < 1 || year > 9999) return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::time_t seconds = timegm(&tm);
  if (tm.tm_mday != day) return std::nullopt;  // e.g. 31 April
  return TimePoint(std::chrono::seconds(seconds));
}

int MonthIndex(std::string_view name) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    std::string_view m = kMonths[i];
    if (name.size() == 3 && std::tolower(name[0]) == std::tolower(m[0]) &&
        std::tolower(name[1]) == std::tolower(m[1]) &&
        std::tolower(name[2]) == std::tolower(m[2])) {
      return static_cast<int>(i) + 1;
    }
  }
  return 0;
}

}  // namespace

std::string FormatHttpDate(TimePoint t) {
  std::tm tm = ToUtcTm(t);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT",
                kDays[tm.tm_wday], tm.tm_mday, kMonths[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<TimePoint> ParseHttpDate(std::string_view text) {
  std::string s(text);
  char month[4] = {};
  char zone[8] = {};
  int day, year, hour, minute, second, consumed = 0;
  // RFC 1123: "Sun, 06 Nov 1994 08:49:37 GMT" (day names are not checked:
  // Python's locale-dependent strftime may write them in another language).
  const char* comma = std::strchr(s.c_str(), ',');
  if (comma != nullptr &&
      std::sscanf(comma + 1, " %d %3s %d %d:%d:%d %7s%n", &day, month, &year,
                  &hour, &minute, &second, zone, &consumed) == 7 &&
      comma[1 + consumed] == '\0' && std::string_view(zone) == "GMT") {
    int m = MonthIndex(month);
    if (m == 0) return std::nullopt;
    // RFC 850 writes a two-digit year: "Sunday, 06-Nov-94 08:49:37 GMT".
    return FromUtcFields(year, m, day, hour, minute, second);
  }
  if (comma != nullptr &&
      std::sscanf(comma + 1, " %d-%3s-%d %d:%d:%d %7s%n", &day, month, &year,
                  &hour, &minute, &second, zone, &consumed) == 7 &&
      comma[1 + consumed] == '\0' && std::string_view(zone) == "GMT") {
    int m = MonthIndex(month);
    if (m == 0) return std::nullopt;
    return FromUtcFields(year < 70 ? 2000 + year : 1900 + year, m, day, hour,
                         minute, second);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  char weekday[4] = {};
  if (std::sscanf(s.c_str(), "%3s %3s %d %d:%d:%d %d%n", weekday, month, &day,
                  &hour, &minute, &second, &year, &consumed) == 7 &&
      s[consumed] == '\0') {
    int m = MonthIndex(month);
    if (m == 0) return std::nullopt;
    return FromUtcFields(year, m, day, hour, minute, second);
  }
  return std::nullopt;
}

std::string FormatIso8601(TimePoint t) {
  std::tm tm = ToUtcTm(t);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<TimePoint> ParseIso8601(std::string_view text) {
  std::string s(text);
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &year, &month, &day,
                  &hour, &minute, &second, &consumed) != 6 ||
      consumed != static_cast<int>(s.size())) {
    return std::nullopt;
  }
  return FromUtcFields(year, month, day, hour, minute, second);
}

std::string FormatBeijingTime(TimePoint t) {
  std::tm tm = ToUtcTm(t + kBeijingOffset);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d %02d:%02d:%02d",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<TimePoint> ParseBeijingTime(std::string_view text) {
  std::string s(text);
  int year, month, day, hour, minute, second, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%n", &year, &month, &day,
                  &hour, &minute, &second, &consumed) != 6 ||
      consumed != static_cast<int>(s.size())) {
    return std::nullopt;
  }
  auto utc = FromUtcFields(year, month, day, hour, minute, second);
  if (!utc) return std::nullopt;
  return *utc - kBeijingOffset;
}

}  // namespace mns
