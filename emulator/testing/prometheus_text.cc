#include "emulator/testing/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <utility>

namespace mns::emulator::testutil {
namespace {

bool IsNameChar(char c, bool first, bool colon) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

// Reads [a-zA-Z_:][a-zA-Z0-9_:]* (or the label alphabet, without ':') at
// `pos`; returns "" if there is none.
std::string_view ReadName(std::string_view line, size_t& pos, bool label) {
  const size_t start = pos;
  while (pos < line.size() && IsNameChar(line[pos], pos == start, !label)) {
    ++pos;
  }
  return line.substr(start, pos - start);
}

void SkipBlanks(std::string_view line, size_t& pos) {
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) ++pos;
}

// A value as Go's strconv.ParseFloat reads the decimal forms, or NaN/Inf.
std::optional<double> ParseValue(std::string_view text) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "+Inf" || text == "Inf") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-Inf") return -std::numeric_limits<double>::infinity();
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    digits.remove_prefix(1);
  }
  // from_chars accepts "inf" and "nan" spellings the format does not.
  if (digits.empty() || !(std::isdigit(static_cast<unsigned char>(digits[0])) ||
                          digits[0] == '.')) {
    return std::nullopt;
  }
  double value = 0;
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return text[0] == '-' ? -value : value;
}

bool IsTimestamp(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

class Parser {
 public:
  StatusOr<Exposition> Parse(std::string_view text) {
    if (!text.empty() && !text.ends_with('\n')) {
      return Error("the last line does not end with \\n");
    }
    while (!text.empty()) {
      const size_t end = text.find('\n');
      const std::string_view line = text.substr(0, end);
      text.remove_prefix(end + 1);
      ++line_number_;
      if (Status s = ParseLine(line); !s.ok()) return s;
    }
    for (const auto& [name, family] : exposition_.families) {
      if (family.type.empty()) return Error(name + " has no TYPE line", 0);
      if (!has_help_.contains(name)) {
        return Error(name + " has no HELP line", 0);
      }
      if (family.type == "histogram") {
        if (Status s = CheckHistogram(name, family); !s.ok()) return s;
      }
    }
    return std::move(exposition_);
  }

 private:
  Status Error(const std::string& what, int line = -1) const {
    const int at = line < 0 ? line_number_ : line;
    return Status(StatusCode::kInvalidArgument,
                  at > 0 ? "line " + std::to_string(at) + ": " + what : what);
  }

  Status ParseLine(std::string_view line) {
    if (line.empty()) return OkStatus();
    if (line[0] == '#') return ParseComment(line);
    return ParseSample(line);
  }

  Status ParseComment(std::string_view line) {
    size_t pos = 1;
    SkipBlanks(line, pos);
    size_t word_end = pos;
    while (word_end < line.size() && line[word_end] != ' ' &&
           line[word_end] != '\t') {
      ++word_end;
    }
    const std::string_view keyword = line.substr(pos, word_end - pos);
    if (keyword != "HELP" && keyword != "TYPE") return OkStatus();  // comment
    pos = word_end;
    SkipBlanks(line, pos);
    const std::string name(ReadName(line, pos, false));
    if (name.empty()) return Error(std::string(keyword) + " without a name");
    if (pos < line.size() && line[pos] != ' ' && line[pos] != '\t') {
      return Error("not a metric name: " +
                   std::string(line.substr(pos - name.size())));
    }
    SkipBlanks(line, pos);
    const std::string_view rest = line.substr(pos);
    if (Status s = Enter(name); !s.ok()) return s;
    MetricFamily& family = exposition_.families[name];
    if (keyword == "HELP") {
      if (!has_help_.insert(name).second)
        return Error("a second HELP for " + name);
      return Unescape(rest, /*quotes=*/false, family.help);
    }
    if (!family.type.empty()) return Error("a second TYPE for " + name);
    if (!family.samples.empty()) {
      return Error("the TYPE of " + name + " after its samples");
    }
    static const std::set<std::string_view> kTypes = {
        "counter", "gauge", "histogram", "summary", "untyped"};
    if (!kTypes.contains(rest)) {
      return Error("not a metric type: \"" + std::string(rest) + "\"");
    }
    family.type = rest;
    return OkStatus();
  }

  // Makes `family` the current one; a family may not come back once another
  // has begun.
  Status Enter(const std::string& family) {
    if (family == current_) return OkStatus();
    if (finished_.contains(family)) {
      return Error("the lines of " + family +
                   " are not together (another family came between)");
    }
    if (!current_.empty()) finished_.insert(current_);
    current_ = family;
    return OkStatus();
  }

  Status Unescape(std::string_view text, bool quotes, std::string& out) const {
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '\\') {
        out += text[i];
        continue;
      }
      const char next = i + 1 < text.size() ? text[i + 1] : '\0';
      if (next == '\\' || (quotes && next == '"')) {
        out += next;
      } else if (next == 'n') {
        out += '\n';
      } else {
        return Error("an escape the format does not have: \\" +
                     std::string(1, next));
      }
      ++i;
    }
    return OkStatus();
  }

  // The family a sample's name belongs to: its own, or a histogram's or a
  // summary's for the _bucket, _sum and _count series.
  std::optional<std::string> FamilyOf(const std::string& name) const {
    if (auto it = exposition_.families.find(name);
        it != exposition_.families.end() && !it->second.type.empty()) {
      return name;
    }
    for (const auto& [suffix, types] :
         {std::pair<std::string_view, std::set<std::string_view>>{
              "_bucket", {"histogram"}},
          {"_sum", {"histogram", "summary"}},
          {"_count", {"histogram", "summary"}}}) {
      if (!name.ends_with(suffix)) continue;
      const std::string base = name.substr(0, name.size() - suffix.size());
      auto it = exposition_.families.find(base);
      if (it != exposition_.families.end() && types.contains(it->second.type)) {
        return base;
      }
    }
    return std::nullopt;
  }

  Status ParseSample(std::string_view line) {
    size_t pos = 0;
    MetricSample sample;
    sample.name = ReadName(line, pos, false);
    if (sample.name.empty()) return Error("a sample line without a name");
    if (pos < line.size() && line[pos] == '{') {
      ++pos;
      if (Status s = ParseLabels(line, pos, sample.labels); !s.ok()) return s;
    }
    if (pos >= line.size() || (line[pos] != ' ' && line[pos] != '\t')) {
      return Error("no blank between " + sample.name +
                   "'s name or labels "
                   "and its value");
    }
    SkipBlanks(line, pos);
    size_t end = line.find_first_of(" \t", pos);
    const std::string_view value_text = line.substr(pos, end - pos);
    const std::optional<double> value = ParseValue(value_text);
    if (!value)
      return Error("not a value: \"" + std::string(value_text) + "\"");
    sample.value = *value;
    if (end != std::string_view::npos) {
      pos = end;
      SkipBlanks(line, pos);
      const std::string_view timestamp = line.substr(pos);
      if (!timestamp.empty() && !IsTimestamp(timestamp)) {
        return Error("not a timestamp: \"" + std::string(timestamp) + "\"");
      }
    }

    const std::optional<std::string> family_name = FamilyOf(sample.name);
    if (!family_name) return Error(sample.name + " has no TYPE line before it");
    if (Status s = Enter(*family_name); !s.ok()) return s;
    MetricFamily& family = exposition_.families[*family_name];
    if (family.type == "counter" && !(sample.value >= 0)) {
      return Error("the counter " + sample.name + " is " +
                   std::string(value_text));
    }
    if (!series_.insert({sample.name, sample.labels}).second) {
      return Error("a second sample of the same series " + sample.name);
    }
    family.samples.push_back(std::move(sample));
    return OkStatus();
  }

  Status ParseLabels(std::string_view line, size_t& pos, Labels& labels) {
    while (true) {
      SkipBlanks(line, pos);
      if (pos < line.size() && line[pos] == '}') {
        ++pos;
        return OkStatus();
      }
      const std::string name(ReadName(line, pos, true));
      if (name.empty()) return Error("a label without a valid name");
      if (name.starts_with("__")) {
        return Error("the label name " + name + " is reserved (__)");
      }
      SkipBlanks(line, pos);
      if (pos >= line.size() || line[pos] != '=') {
        return Error("no = after the label " + name);
      }
      ++pos;
      SkipBlanks(line, pos);
      if (pos >= line.size() || line[pos] != '"') {
        return Error("the value of " + name + " is not quoted");
      }
      ++pos;
      size_t close = pos;
      while (close < line.size() && line[close] != '"') {
        close += line[close] == '\\' ? 2 : 1;
      }
      if (close >= line.size()) return Error("an unclosed label value");
      std::string value;
      if (Status s = Unescape(line.substr(pos, close - pos), true, value);
          !s.ok()) {
        return s;
      }
      if (!labels.emplace(name, std::move(value)).second) {
        return Error("the label " + name + " twice");
      }
      pos = close + 1;
      SkipBlanks(line, pos);
      if (pos < line.size() && line[pos] == ',') {
        ++pos;
      } else if (pos >= line.size() || line[pos] != '}') {
        return Error("no , or } after the label " + name);
      }
    }
  }

  Status CheckHistogram(const std::string& name,
                        const MetricFamily& family) const {
    struct Series {
      std::vector<std::pair<double, double>> buckets;  // (le, count) in order
      std::optional<double> count, sum;
    };
    std::map<Labels, Series> series;
    for (const MetricSample& sample : family.samples) {
      Labels labels = sample.labels;
      if (sample.name == name + "_bucket") {
        auto le = labels.find("le");
        if (le == labels.end()) {
          return Error(sample.name + " without an le label", 0);
        }
        const std::optional<double> bound = ParseValue(le->second);
        if (!bound)
          return Error("le=\"" + le->second + "\" is not a number", 0);
        labels.erase(le);
        series[labels].buckets.emplace_back(*bound, sample.value);
      } else if (sample.name == name + "_count") {
        series[labels].count = sample.value;
      } else if (sample.name == name + "_sum") {
        series[labels].sum = sample.value;
      } else {
        return Error("the histogram " + name + " has a sample " + sample.name,
                     0);
      }
    }
    for (const auto& [labels, s] : series) {
      const std::string which = name + (labels.empty() ? "" : " (a series)");
      if (s.buckets.empty()) return Error(which + " has no buckets", 0);
      for (size_t i = 1; i < s.buckets.size(); ++i) {
        if (!(s.buckets[i].first > s.buckets[i - 1].first)) {
          return Error(which + "'s buckets are not in ascending le order", 0);
        }
        if (s.buckets[i].second < s.buckets[i - 1].second) {
          return Error(which + "'s buckets are not cumulative", 0);
        }
      }
      if (!std::isinf(s.buckets.back().first)) {
        return Error(which + " has no le=\"+Inf\" bucket", 0);
      }
      if (!s.count || !s.sum) {
        return Error(which + " lacks " + (s.count ? "_sum" : "_count"), 0);
      }
      if (*s.count != s.buckets.back().second) {
        return Error(which + "'s _count is not its +Inf bucket", 0);
      }
    }
    return OkStatus();
  }

  Exposition exposition_;
  std::set<std::string> has_help_;
  std::set<std::pair<std::string, Labels>> series_;
  std::set<std::string> finished_;
  std::string current_;
  int line_number_ = 0;
};

bool Includes(const Labels& labels, const Labels& subset) {
  for (const auto& [name, value] : subset) {
    auto it = labels.find(name);
    if (it == labels.end() || it->second != value) return false;
  }
  return true;
}

}  // namespace

double Exposition::Value(const std::string& name, const Labels& labels) const {
  for (const auto& [family_name, family] : families) {
    for (const MetricSample& sample : family.samples) {
      if (sample.name == name && sample.labels == labels) return sample.value;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

double Exposition::Sum(const std::string& name, const Labels& labels) const {
  double sum = 0;
  for (const auto& [family_name, family] : families) {
    for (const MetricSample& sample : family.samples) {
      if (sample.name == name && Includes(sample.labels, labels)) {
        sum += sample.value;
      }
    }
  }
  return sum;
}

StatusOr<Exposition> ParsePrometheusText(std::string_view text) {
  return Parser().Parse(text);
}

}  // namespace mns::emulator::testutil
