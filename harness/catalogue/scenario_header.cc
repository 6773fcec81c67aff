#include "catalogue/scenario_header.h"

#include <fmt/format.h>

#include <charconv>
#include <regex>
#include <sstream>

#include "catalogue/expectations.h"

namespace dspy_compat {
namespace {

int ParsePositive(const std::string& text, const std::string& what) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    throw ScenarioError(fmt::format("{} must be a positive whole number, not '{}'", what, text));
  }
  return value;
}

}  // namespace

DelaySpec ParseDelaySpec(const std::string& text) {
  static const std::regex kRange(R"(^\s*(\d+)\s*(?:-\s*(\d+))?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, kRange)) {
    throw ScenarioError(
        fmt::format("an LM delay is 'MS' or 'MIN-MAX' in milliseconds, not '{}'", text));
  }
  DelaySpec spec;
  spec.min_ms = std::stoi(m[1]);
  spec.max_ms = m[2].matched ? std::stoi(m[2]) : spec.min_ms;
  if (spec.max_ms < spec.min_ms || spec.max_ms > 600000) {
    throw ScenarioError(fmt::format("LM delay range '{}' is empty or above 10 minutes", text));
  }
  return spec;
}

ScenarioHeader ParseScenarioHeader(const std::string& text, const std::string& source) {
  static const std::regex kKeyLine(R"(^#\s*([A-Z][A-Z-]*):\s*(.*?)\s*$)");
  ScenarioHeader header;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.starts_with("#!")) continue;
    if (line.empty() || line[0] != '#') break;
    std::smatch m;
    if (!std::regex_match(line, m, kKeyLine)) continue;
    std::string key = m[1], value = m[2];
    try {
      if (key == "SUMMARY") {
        header.summary = value;
      } else if (key == "EXERCISES") {
        header.exercises += (header.exercises.empty() ? "" : " ") + value;
      } else if (key == "LM-DELAY-MS") {
        header.options.lm_delay = ParseDelaySpec(value);
      } else if (key == "TIMEOUT") {
        header.options.timeout_seconds = ParsePositive(value, "TIMEOUT");
      } else if (key == "REPEAT") {
        header.options.repeat = ParsePositive(value, "REPEAT");
      } else if (key == "MIGRATION-OF" || key == "FORCES") {
        static const std::regex kId(R"(^[A-Za-z0-9._-]+$)");
        if (!std::regex_match(value, kId)) {
          throw ScenarioError(
              fmt::format("{} names one scenario id (a file stem), not '{}'", key, value));
        }
        (key == "FORCES" ? header.forces : header.migration_of) = value;
      } else if (key == "FAMILY") {
        static const std::regex kFamily(R"(^[a-z0-9][a-z0-9-]*$)");
        if (!std::regex_match(value, kFamily)) {
          throw ScenarioError(
              fmt::format("FAMILY is one lower-case word (letters, digits, '-'), not '{}'", value));
        }
        header.family = value;
      } else if (key == "REQUIRES") {
        for (std::string& s : ParseRequirements(value)) header.requirements.push_back(s);
      } else if (key == "MOCK-FIXTURE") {
        if (value.empty() || !value.ends_with(".json")) {
          throw ScenarioError(fmt::format(
              "MOCK-FIXTURE names one fixture file (.json), e.g. fixtures/mock/x.json, not '{}'",
              value));
        }
        header.mock_fixture = value;
      } else if (key == "EXPECT") {
        header.expectations.push_back(ParseExpectationRule(value));
      }
    } catch (const ScenarioError& e) {
      throw ScenarioError(fmt::format("{}:{}: {}", source, number, e.what()));
    }
  }
  return header;
}

}  // namespace dspy_compat
