#include "catalogue/expectations.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "catalogue/scenario_header.h"

namespace dspy_compat {
namespace {

struct VersionBound {
  std::string_view op, version;
};

// dspy<op><version>, the version digits and dots (2.5.40); the op is checked
// longest first so ">=" is not ">". Plain scanning, not std::regex: a header
// word can be any length, and libstdc++'s matcher recurses per character.
std::optional<VersionBound> ParseVersionBound(std::string_view selector) {
  if (!selector.starts_with("dspy")) return std::nullopt;
  selector.remove_prefix(4);
  for (std::string_view op : {"==", "!=", ">=", "<=", ">", "<"}) {
    if (!selector.starts_with(op)) continue;
    std::string_view version = selector.substr(op.size());
    bool digit_next = true;  // a component starts with a digit, never a dot
    for (char c : version) {
      if (c == '.' && !digit_next) {
        digit_next = true;
      } else if (c >= '0' && c <= '9') {
        digit_next = false;
      } else {
        return std::nullopt;
      }
    }
    if (digit_next) return std::nullopt;  // empty, or ends with a dot
    return VersionBound{op, version};
  }
  return std::nullopt;
}

std::string Shown(std::string_view word) {
  return word.size() > 60 ? fmt::format("{}...", word.substr(0, 60)) : std::string(word);
}

bool LooksLikeVersionBound(std::string_view selector) {
  return selector.size() > 4 && selector.substr(0, 4) == "dspy" &&
         std::string_view("<>=!").find(selector[4]) != std::string_view::npos;
}

}  // namespace

ExpectationRule ParseExpectationRule(const std::string& value) {
  std::istringstream words(value);
  std::string outcome;
  words >> outcome;
  ExpectationRule rule;
  rule.text = value;
  auto parsed = ParseExpectation(outcome);
  if (!parsed) {
    throw ScenarioError(fmt::format(
        "EXPECT starts with pass, fail, flaky, fail-or-flaky, any or behaviour-change, not "
        "'{}'",
        Shown(outcome)));
  }
  rule.outcome = *parsed;
  std::string word;
  if (words >> word) {
    if (word != "on") {
      throw ScenarioError(
          fmt::format("EXPECT: expected 'on <target or dspy version>' after '{}', not '{}'",
                      outcome, Shown(word)));
    }
    while (words >> word) {
      if (LooksLikeVersionBound(word) && !ParseVersionBound(word)) {
        throw ScenarioError(fmt::format(
            "EXPECT: '{}' is not a version bound like dspy>=2.5.40 (==, !=, >=, <=, >, <)",
            Shown(word)));
      }
      rule.selectors.push_back(word);
    }
    if (rule.selectors.empty()) {
      throw ScenarioError("EXPECT: 'on' must be followed by a target name or a dspy version bound");
    }
  }
  return rule;
}

std::vector<std::string> ParseRequirements(const std::string& value) {
  std::istringstream words(value);
  std::vector<std::string> selectors;
  std::string word;
  while (words >> word) {
    if (LooksLikeVersionBound(word) && !ParseVersionBound(word)) {
      throw ScenarioError(fmt::format(
          "REQUIRES: '{}' is not a version bound like dspy>=2.5.40 (==, !=, >=, <=, >, <)",
          Shown(word)));
    }
    selectors.push_back(word);
  }
  if (selectors.empty()) {
    throw ScenarioError("REQUIRES: give a dspy version bound (dspy>=2.5.40) or a target name");
  }
  return selectors;
}

bool RequirementsMet(const std::vector<std::string>& requirements, std::string_view target_name,
                     std::string_view dspy_version) {
  return std::all_of(requirements.begin(), requirements.end(), [&](const std::string& s) {
    // A user interpreter not yet probed has no version: run it rather than
    // skip it on a guess; its result says what it imported.
    if (dspy_version.empty() && ParseVersionBound(s)) return true;
    return SelectorMatches(s, target_name, dspy_version);
  });
}

bool SelectorMatches(std::string_view selector, std::string_view target_name,
                     std::string_view dspy_version) {
  std::string text(selector);
  if (auto bound = ParseVersionBound(selector)) {
    if (dspy_version.empty()) return false;
    int order = CompareVersions(dspy_version, bound->version);
    std::string_view op = bound->op;
    if (op == "==") return order == 0;
    if (op == "!=") return order != 0;
    if (op == ">=") return order >= 0;
    if (op == "<=") return order <= 0;
    if (op == ">") return order > 0;
    return order < 0;
  }
  return ::fnmatch(text.c_str(), std::string(target_name).c_str(), 0) == 0;
}

std::optional<Expectation> ResolveExpectation(const std::vector<ExpectationRule>& rules,
                                              std::string_view target_name,
                                              std::string_view dspy_version) {
  std::optional<Expectation> resolved;
  for (const ExpectationRule& rule : rules) {
    bool all = true;
    for (const std::string& selector : rule.selectors) {
      all = all && SelectorMatches(selector, target_name, dspy_version);
    }
    if (all) resolved = rule.outcome;
  }
  return resolved;
}

}  // namespace dspy_compat
