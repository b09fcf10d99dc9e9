#include "emulator/http/metrics.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace mns::emulator {
namespace {

bool IsNameChar(char c, bool first, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

// Metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; label names: [a-zA-Z_][a-zA-Z0-9_]*
// and not starting with __ (reserved).
void CheckName(std::string_view name, bool label) {
  bool ok = !name.empty() && !(label && name.starts_with("__"));
  for (size_t i = 0; ok && i < name.size(); ++i) {
    ok = IsNameChar(name[i], i == 0, !label);
  }
  if (!ok) {
    throw std::invalid_argument("not a Prometheus " +
                                std::string(label ? "label" : "metric") +
                                " name: " + std::string(name));
  }
}

// HELP text escapes \ and newline; a label value escapes " too.
std::string Escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\' || (quote && c == '"')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void Histogram::Observe(double seconds) {
  ++count;
  sum += seconds;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    if (seconds <= kLatencyBuckets[i]) {
      ++buckets[i];
      return;
    }
  }
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value,
                                 std::chars_format::general);
  return std::string(text, end);
}

std::string EscapeLabelValue(std::string_view value) {
  return Escape(value, /*quote=*/true);
}

void PrometheusText::Family(std::string_view name, std::string_view type,
                            std::string_view help) {
  CheckName(name, false);
  if (type != "counter" && type != "gauge" && type != "histogram") {
    throw std::invalid_argument("not a metric type: " + std::string(type));
  }
  text_ += "# HELP ";
  text_ += name;
  text_ += ' ';
  text_ += Escape(help, /*quote=*/false);
  text_ += "\n# TYPE ";
  text_ += name;
  text_ += ' ';
  text_ += type;
  text_ += '\n';
}

void PrometheusText::Sample(std::string_view name, const MetricLabels& labels,
                            double value) {
  CheckName(name, false);
  text_ += name;
  if (!labels.empty()) {
    text_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      CheckName(labels[i].first, true);
      if (i > 0) text_ += ',';
      text_ += labels[i].first;
      text_ += "=\"";
      text_ += EscapeLabelValue(labels[i].second);
      text_ += '"';
    }
    text_ += '}';
  }
  text_ += ' ';
  text_ += FormatMetricValue(value);
  text_ += '\n';
}

void PrometheusText::Buckets(std::string_view name, const MetricLabels& labels,
                             const Histogram& histogram) {
  const std::string base(name);
  MetricLabels with_le = labels;
  with_le.emplace_back("le", "");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    cumulative += histogram.buckets[i];
    with_le.back().second = FormatMetricValue(kLatencyBuckets[i]);
    Sample(base + "_bucket", with_le, static_cast<double>(cumulative));
  }
  with_le.back().second = "+Inf";
  Sample(base + "_bucket", with_le, static_cast<double>(histogram.count));
  Sample(base + "_sum", labels, histogram.sum);
  Sample(base + "_count", labels, static_cast<double>(histogram.count));
}

void RequestMetrics::RecordRequest(const std::string& protocol,
                                   const std::string& operation, int status,
                                   const std::string& code,
                                   std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{protocol, operation, status, code}];
  latency_[{protocol, operation}].Observe(seconds);
}

void RequestMetrics::RecordWake(std::chrono::nanoseconds latency) {
  const double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard<std::mutex> lock(mutex_);
  wake_.Observe(seconds);
}

void RequestMetrics::Write(PrometheusText& out) const {
  std::lock_guard<std::mutex> lock(mutex_);
  out.Family("mns_emulator_requests_total", "counter",
             "Requests answered, by protocol (mns, pop, control), operation, "
             "HTTP status and the protocol's error code (\"\" for none).");
  for (const auto& [key, count] : requests_) {
    const auto& [protocol, operation, status, code] = key;
    out.Sample("mns_emulator_requests_total",
               {{"protocol", protocol},
                {"operation", operation},
                {"status", std::to_string(status)},
                {"code", code}},
               static_cast<double>(count));
  }
  out.Family("mns_emulator_request_duration_seconds", "histogram",
             "Time from a request's arrival to its answer, by operation; a "
             "long poll's wait included.");
  for (const auto& [key, histogram] : latency_) {
    out.Buckets("mns_emulator_request_duration_seconds",
                {{"protocol", key.first}, {"operation", key.second}},
                histogram);
  }
  out.Family("mns_emulator_long_poll_wake_seconds", "histogram",
             "Time from the event that made a message available to a parked "
             "receive (a send, a release, a clock jump) to that receive "
             "returning it.");
  out.Buckets("mns_emulator_long_poll_wake_seconds", {}, wake_);
}

}  // namespace mns::emulator
