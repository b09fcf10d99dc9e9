// Date formats of the wire: RFC 1123 HTTP dates (MNS `Date`), ISO 8601 UTC
// (POP `Timestamp`) and Beijing local time `yyyy-MM-dd HH:mm:ss` (Alicom
// token and send-record times). None depends on the host's time zone.
// Pure functions, thread-safe.
#ifndef MNS_COMMON_TIME_FORMAT_H_
#define MNS_COMMON_TIME_FORMAT_H_

#include <optional>
#include <string>
#include <string_view>

#include "mns/common/clock.h"

namespace mns {

// "Tue, 11 Apr 2017 10:09:19 GMT"
std::string FormatHttpDate(TimePoint t);
// Accepts RFC 1123, RFC 850 and asctime forms (RFC 9110 §5.6.7), with the
// English day and month names in any case; nullopt otherwise.
std::optional<TimePoint> ParseHttpDate(std::string_view text);

// "2017-04-11T10:09:19Z"
std::string FormatIso8601(TimePoint t);
std::optional<TimePoint> ParseIso8601(std::string_view text);

// Beijing time (UTC+8, no daylight saving): "2017-04-11 18:09:19".
std::string FormatBeijingTime(TimePoint t);
std::optional<TimePoint> ParseBeijingTime(std::string_view text);

}  // namespace mns

#endif  // MNS_COMMON_TIME_FORMAT_H_
