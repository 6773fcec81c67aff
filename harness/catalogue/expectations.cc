#include "catalogue/expectations.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "catalogue/scenario_header.h"

namespace dspy_compat {
namespace {

// dspy<op><version>; the op is checked longest first so ">=" is not ">".
const std::regex& VersionBound() {
  static const std::regex kBound(R"(^dspy(==|!=|>=|<=|>|<)(\d+(?:\.\d+)*)$)");
  return kBound;
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
        outcome));
  }
  rule.outcome = *parsed;
  std::string word;
  if (words >> word) {
    if (word != "on") {
      throw ScenarioError(fmt::format(
          "EXPECT: expected 'on <target or dspy version>' after '{}', not '{}'", outcome, word));
    }
    while (words >> word) {
      if (LooksLikeVersionBound(word) && !std::regex_match(word, VersionBound())) {
        throw ScenarioError(fmt::format(
            "EXPECT: '{}' is not a version bound like dspy>=2.5.40 (==, !=, >=, <=, >, <)", word));
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
    if (LooksLikeVersionBound(word) && !std::regex_match(word, VersionBound())) {
      throw ScenarioError(fmt::format(
          "REQUIRES: '{}' is not a version bound like dspy>=2.5.40 (==, !=, >=, <=, >, <)", word));
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
    if (dspy_version.empty() && std::regex_match(s, VersionBound())) return true;
    return SelectorMatches(s, target_name, dspy_version);
  });
}

bool SelectorMatches(std::string_view selector, std::string_view target_name,
                     std::string_view dspy_version) {
  std::string text(selector);
  std::smatch bound;
  if (std::regex_match(text, bound, VersionBound())) {
    if (dspy_version.empty()) return false;
    int order = CompareVersions(dspy_version, bound[2].str());
    std::string op = bound[1];
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
