#include "catalogue/scenario_header.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <string_view>

#include "catalogue/expectations.h"

namespace dspy_compat {
namespace {

// No std::regex here: a header line is untrusted input of any length, and
// libstdc++'s regex matcher recurses once per character (a 50 KB line
// overflowed the stack). Plain scanning is linear and cannot crash.
constexpr std::string_view kSpace = " \t\r\n\v\f";

std::string_view Trim(std::string_view text) {
  auto first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

// Quotes a value in an error message: bounded, so a huge line makes a short message.
std::string Shown(std::string_view text) {
  return text.size() > 60 ? fmt::format("{}...", text.substr(0, 60)) : std::string(text);
}

// A whole number in [min, max]; anything else (sign, spaces, overflow) names the range.
int ParseInRange(std::string_view text, int min, int max, std::string_view what) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    throw ScenarioError(
        fmt::format("{} must be a whole number in {}..{}, not '{}'", what, min, max, Shown(text)));
  }
  return value;
}

bool AllOf(std::string_view text, bool (*ok)(char)) {
  return std::all_of(text.begin(), text.end(), ok);
}

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsIdChar(char c) {
  return IsLowerOrDigit(c) || IsUpper(c) || c == '.' || c == '_' || c == '-';
}

// "# KEY: value": KEY is [A-Z][A-Z-]*, the value trimmed. False for other comment lines.
bool SplitKeyLine(std::string_view line, std::string_view& key, std::string_view& value) {
  line.remove_prefix(1);  // '#'
  line = line.substr(std::min(line.size(), line.find_first_not_of(kSpace)));
  auto colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0 || !IsUpper(line[0])) return false;
  key = line.substr(0, colon);
  if (!AllOf(key, [](char c) { return IsUpper(c) || c == '-'; })) return false;
  value = Trim(line.substr(colon + 1));
  return true;
}

}  // namespace

DelaySpec ParseDelaySpec(const std::string& text) {
  std::string_view range = Trim(text);
  auto dash = range.find('-');
  std::string_view low = Trim(range.substr(0, dash));
  std::string_view high = dash == std::string_view::npos ? low : Trim(range.substr(dash + 1));
  auto digits = [](std::string_view s) {
    return !s.empty() && AllOf(s, [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(low) || !digits(high)) {
    throw ScenarioError(
        fmt::format("an LM delay is 'MS' or 'MIN-MAX' in milliseconds, not '{}'", Shown(text)));
  }
  DelaySpec spec;
  spec.min_ms = ParseInRange(low, 0, kMaxDelayMs, "an LM delay (ms)");
  spec.max_ms = ParseInRange(high, 0, kMaxDelayMs, "an LM delay (ms)");
  if (spec.max_ms < spec.min_ms) {
    throw ScenarioError(fmt::format("LM delay range '{}' is empty", Shown(text)));
  }
  return spec;
}

ScenarioHeader ParseScenarioHeader(const std::string& text, const std::string& source) {
  ScenarioHeader header;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.starts_with("#!")) continue;
    if (line.empty() || line[0] != '#') break;
    std::string_view key_view, value_view;
    if (!SplitKeyLine(line, key_view, value_view)) continue;
    std::string key(key_view), value(value_view);
    try {
      if (key == "SUMMARY") {
        header.summary = value;
      } else if (key == "EXERCISES") {
        header.exercises += (header.exercises.empty() ? "" : " ") + value;
      } else if (key == "LM-DELAY-MS") {
        header.options.lm_delay = ParseDelaySpec(value);
      } else if (key == "TIMEOUT") {
        header.options.timeout_seconds =
            ParseInRange(value, 1, kMaxTimeoutSeconds, "TIMEOUT (seconds)");
      } else if (key == "REPEAT") {
        header.options.repeat = ParseInRange(value, 1, kMaxRepeat, "REPEAT");
      } else if (key == "MIGRATION-OF" || key == "FORCES") {
        if (value.empty() || !AllOf(value, IsIdChar)) {
          throw ScenarioError(
              fmt::format("{} names one scenario id (a file stem), not '{}'", key, Shown(value)));
        }
        (key == "FORCES" ? header.forces : header.migration_of) = value;
      } else if (key == "FAMILY") {
        if (value.empty() || value[0] == '-' ||
            !AllOf(value, [](char c) { return IsLowerOrDigit(c) || c == '-'; })) {
          throw ScenarioError(fmt::format(
              "FAMILY is one lower-case word (letters, digits, '-'), not '{}'", Shown(value)));
        }
        header.family = value;
      } else if (key == "REQUIRES") {
        for (std::string& s : ParseRequirements(value)) header.requirements.push_back(s);
      } else if (key == "MOCK-FIXTURE") {
        if (value.empty() || !value.ends_with(".json")) {
          throw ScenarioError(fmt::format(
              "MOCK-FIXTURE names one fixture file (.json), e.g. fixtures/mock/x.json, not '{}'",
              Shown(value)));
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
