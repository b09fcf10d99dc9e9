#include "conformance/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <pugixml.hpp>
#include <sstream>

#include "conformance/conformance.h"

namespace mns::conformance {
namespace {

std::string MarkerText(const Marker& marker) {
  std::string text = MarkerName(marker);
  if (marker.kind == Marker::Kind::kCloudVerified) {
    text += " " + marker.note;
  }
  return text;
}

std::map<std::string, int> Tally(const std::vector<TestResult>& results) {
  std::map<std::string, int> tally;
  for (const auto& r : results) ++tally[r.result];
  return tally;
}

std::string Summary(const std::vector<TestResult>& results) {
  auto tally = Tally(results);
  return std::to_string(results.size()) +
         " tests: " + std::to_string(tally["passed"]) + " passed, " +
         std::to_string(tally["failed"]) + " failed, " +
         std::to_string(tally["skipped"]) + " skipped";
}

// Markdown table cells must not break the row.
std::string Cell(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out.size() > 160 ? out.substr(0, 157) + "..." : out;
}

}  // namespace

std::string Behaviour(const std::string& test_name) {
  // Split "ReturnsMD5OfABody" into Returns|MD5|Of|A|Body: a word starts at
  // an upper-case letter after a lower-case one or a digit, or at the last
  // capital of a run that a lower-case letter follows.
  auto upper = [](char c) {
    return std::isupper(static_cast<unsigned char>(c));
  };
  auto lower = [](char c) {
    return std::islower(static_cast<unsigned char>(c));
  };
  std::vector<std::string> words(1);
  for (size_t i = 0; i < test_name.size(); ++i) {
    const char c = test_name[i];
    const bool starts = i > 0 && upper(c) &&
                        (!upper(test_name[i - 1]) ||
                         (i + 1 < test_name.size() && lower(test_name[i + 1])));
    if (starts) words.emplace_back();
    words.back() += c;
  }
  std::string out;
  for (std::string& word : words) {
    // Acronyms (MD5, XML) stay as they are.
    const bool acronym =
        word.size() > 1 && std::none_of(word.begin(), word.end(), lower);
    if (!acronym) {
      for (char& c : word)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

std::string MatrixText(const std::string& target,
                       const std::vector<TestResult>& results) {
  size_t op_width = 9, behaviour_width = 9, marker_width = 6;
  for (const auto& r : results) {
    op_width = std::max(op_width, r.operation.size());
    behaviour_width = std::max(behaviour_width, r.behaviour.size());
    marker_width = std::max(marker_width, r.marker.size());
  }
  std::ostringstream out;
  out << "Parity matrix against " << target << "\n";
  auto row = [&](const std::string& a, const std::string& b,
                 const std::string& c, const std::string& d) {
    out << a << std::string(op_width - a.size() + 2, ' ') << b
        << std::string(behaviour_width - b.size() + 2, ' ') << c
        << std::string(marker_width - c.size() + 2, ' ') << d << "\n";
  };
  row("operation", "behaviour", "marker", "result");
  for (const auto& r : results) {
    row(r.operation, r.behaviour, r.marker, r.result);
  }
  out << Summary(results) << "\n";
  return out.str();
}

std::string MatrixMarkdown(const std::string& target,
                           const std::vector<TestResult>& results) {
  std::ostringstream out;
  out << "# Parity matrix\n\nTarget: " << target << ". " << Summary(results)
      << ".\n\n| operation | behaviour | marker | result | note |\n"
      << "|---|---|---|---|---|\n";
  for (const auto& r : results) {
    out << "| " << r.operation << " | " << r.behaviour << " | " << r.marker
        << " | " << r.result << " | " << Cell(r.message) << " |\n";
  }
  return out.str();
}

std::string JUnitXml(const std::string& target,
                     const std::vector<TestResult>& results) {
  pugi::xml_document doc;
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto suites = doc.append_child("testsuites");
  suites.append_attribute("name") = ("conformance against " + target).c_str();
  std::map<std::string, pugi::xml_node> by_suite;
  auto tally = Tally(results);
  suites.append_attribute("tests") = static_cast<int>(results.size());
  suites.append_attribute("failures") = tally["failed"];
  suites.append_attribute("skipped") = tally["skipped"];
  for (const auto& r : results) {
    auto& suite = by_suite[r.suite];
    if (!suite) {
      suite = suites.append_child("testsuite");
      suite.append_attribute("name") = r.suite.c_str();
    }
    auto test = suite.append_child("testcase");
    test.append_attribute("classname") = r.suite.c_str();
    test.append_attribute("name") = r.name.c_str();
    test.append_attribute("time") = r.seconds;
    auto properties = test.append_child("properties");
    for (auto [name, value] : {std::pair{"operation", &r.operation},
                               std::pair{"behaviour", &r.behaviour},
                               std::pair{"marker", &r.marker}}) {
      auto property = properties.append_child("property");
      property.append_attribute("name") = name;
      property.append_attribute("value") = value->c_str();
    }
    if (r.result == "failed") {
      test.append_child("failure").append_attribute("message") =
          r.message.c_str();
    } else if (r.result == "skipped") {
      test.append_child("skipped").append_attribute("message") =
          r.message.c_str();
    }
  }
  std::ostringstream out;
  doc.save(out, "  ");
  return out.str();
}

void ParityReporter::OnTestEnd(const ::testing::TestInfo& info) {
  const std::string full =
      std::string(info.test_suite_name()) + "." + info.name();
  const Registration* registration = FindRegistration(full);
  const auto* result = info.result();
  TestResult r{
      .suite = info.test_suite_name(),
      .name = info.name(),
      .operation = registration ? registration->operation : "?",
      .behaviour = Behaviour(info.name()),
      .marker = registration ? MarkerText(registration->marker) : "(none)",
      .seconds = result->elapsed_time() / 1000.0};
  if (result->Skipped()) {
    r.result = "skipped";
  } else {
    r.result = result->Passed() ? "passed" : "failed";
  }
  for (int i = 0; i < result->total_part_count(); ++i) {
    const auto& part = result->GetTestPartResult(i);
    if (part.failed() || part.skipped()) {
      r.message = part.message();
      break;
    }
  }
  results_.push_back(std::move(r));
}

void ParityReporter::OnTestProgramEnd(const ::testing::UnitTest&) {
  std::cout << "\n" << MatrixText(target_, results_);
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  std::ofstream(std::filesystem::path(dir_) / "parity.xml")
      << JUnitXml(target_, results_);
  std::ofstream(std::filesystem::path(dir_) / "parity.md")
      << MatrixMarkdown(target_, results_);
  std::cout << "Report: " << dir_ << "/parity.xml, " << dir_ << "/parity.md\n";
}

}  // namespace mns::conformance
