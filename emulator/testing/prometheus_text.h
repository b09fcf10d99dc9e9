// A strict parser of the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), written
// from the format's rules independently of the emulator's writer, so that
// tests read the metrics as a scraper would and fail on anything a scraper
// could reject or misread:
//   - every line ends with "\n", the last one included;
//   - "# HELP name text" and "# TYPE name type" at most once per family, the
//     TYPE before the family's first sample; HELP text escapes only \\ and
//     \n;
//   - metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*
//     not starting with "__", no label twice in a sample;
//   - label values in double quotes escaping only \\, \" and \n;
//   - values as Go's ParseFloat reads them, or NaN, +Inf, -Inf; an optional
//     integer timestamp;
//   - a family's lines together, never interleaved with another's;
//   - no series (name and label set) twice;
//   - a histogram's series: name_bucket with an "le" label, ascending and
//     cumulative, ending with le="+Inf" equal to name_count, and name_sum;
//   - counters not negative.
// Stricter than the format in one way, as the emulator promises: every
// sample belongs to a family with a TYPE line and a HELP line.
#ifndef MNS_EMULATOR_TESTING_PROMETHEUS_TEXT_H_
#define MNS_EMULATOR_TESTING_PROMETHEUS_TEXT_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mns/common/status.h"

namespace mns::emulator::testutil {

using Labels = std::map<std::string, std::string>;

struct MetricSample {
  std::string name;  // as written: for histograms, with _bucket/_sum/_count
  Labels labels;
  double value = 0;
};

struct MetricFamily {
  std::string type;
  std::string help;  // unescaped
  std::vector<MetricSample> samples;
};

struct Exposition {
  std::map<std::string, MetricFamily> families;

  // The value of the series `name` with exactly `labels`, or NaN if there is
  // none.
  double Value(const std::string& name, const Labels& labels = {}) const;
  // The sum over every series named `name` whose labels include `labels`.
  double Sum(const std::string& name, const Labels& labels = {}) const;
};

// The error's message names the line and the rule it breaks.
StatusOr<Exposition> ParsePrometheusText(std::string_view text);

}  // namespace mns::emulator::testutil

#endif  // MNS_EMULATOR_TESTING_PROMETHEUS_TEXT_H_
