// Metrics for GET /_emulator/metrics, in the Prometheus text exposition
// format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
// Debian 12 packages no Prometheus client library for C++, so the writer is
// here: it emits what the format requires (HELP and TYPE before a family's
// samples, escaped label values and help, cumulative histogram buckets with
// +Inf, _sum and _count) and nothing more.
//
// RequestMetrics holds what only the request path sees: requests by
// protocol, operation, status and code, their latency, and long-poll
// wake-up latency. The gauges (queues, connections, tokens, receipts,
// faults) are read from the counters their owners keep, at scrape time.
// Thread-safe.
#ifndef MNS_EMULATOR_HTTP_METRICS_H_
#define MNS_EMULATOR_HTTP_METRICS_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace mns::emulator {

// Upper bounds, in seconds, of the latency histograms' buckets.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
    0.025,  0.05,    0.1,    0.25,  1,      5,     30};

struct Histogram {
  std::array<uint64_t, kLatencyBuckets.size()> buckets{};  // not cumulative
  uint64_t count = 0;
  double sum = 0;

  void Observe(double seconds);
};

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Builds one exposition. Families must be written whole, one after another;
// a name or label name outside the format's alphabet is a programming error
// and throws std::invalid_argument.
class PrometheusText {
 public:
  // "# HELP name help" and "# TYPE name type" (counter, gauge, histogram).
  void Family(std::string_view name, std::string_view type,
              std::string_view help);
  void Sample(std::string_view name, const MetricLabels& labels, double value);
  // name_bucket{...,le="..."} for every bound and +Inf, name_sum, name_count.
  void Buckets(std::string_view name, const MetricLabels& labels,
               const Histogram& histogram);

  const std::string& text() const { return text_; }

  // The content type of the format.
  static constexpr char kContentType[] = "text/plain; version=0.0.4";

 private:
  std::string text_;
};

// A value as the format writes it: integers without exponent, +Inf, -Inf,
// NaN, else the shortest text that reads back the same.
std::string FormatMetricValue(double value);
// A label value with \, " and newline escaped.
std::string EscapeLabelValue(std::string_view value);

class RequestMetrics {
 public:
  // One answered request; `code` is the protocol's error code, "" for none.
  void RecordRequest(const std::string& protocol, const std::string& operation,
                     int status, const std::string& code,
                     std::chrono::nanoseconds latency);
  void RecordWake(std::chrono::nanoseconds latency);

  // mns_emulator_requests_total, mns_emulator_request_duration_seconds,
  // mns_emulator_long_poll_wake_seconds.
  void Write(PrometheusText& out) const;

 private:
  mutable std::mutex mutex_;
  // (protocol, operation, status, code)
  std::map<std::tuple<std::string, std::string, int, std::string>, uint64_t>
      requests_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
  Histogram wake_;
};

}  // namespace mns::emulator

#endif  // MNS_EMULATOR_HTTP_METRICS_H_
