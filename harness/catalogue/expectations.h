// EXPECT header lines: what a scenario should do on which targets, so that
// the gate fails only on what is new (see scenarios/README.md, "Header").
//   # EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
//   # EXPECT: fail on python:*
//   # EXPECT: behaviour-change on dspy>=2.5.40
// A line is an outcome (pass, fail, flaky, fail-or-flaky, any, or
// behaviour-change: passes, and a silent change from the baseline target's
// LM traffic or settings is known and accepted), optionally
// followed by "on" and selectors that must all match a target: a DSPy
// version bound (dspy==V, !=, >=, <=, >, <) or a glob over the target's name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

// Throws ScenarioError (from scenario_header.h) naming what is wrong.
ExpectationRule ParseExpectationRule(const std::string& value);

// REQUIRES: whitespace-separated selectors, the same kinds as EXPECT's
// (lit's REQUIRES: all must hold). Throws ScenarioError.
std::vector<std::string> ParseRequirements(const std::string& value);

// Whether a target may run a scenario with these requirements. Unlike in
// EXPECT, a version bound holds for a target whose version is unknown.
bool RequirementsMet(const std::vector<std::string>& requirements, std::string_view target_name,
                     std::string_view dspy_version);

// Whether one selector matches a target. A version bound never matches a
// target whose DSPy version is unknown (empty).
bool SelectorMatches(std::string_view selector, std::string_view target_name,
                     std::string_view dspy_version);

// The outcome of the last rule that matches the target (later lines refine
// earlier ones, as in .gitignore), or nullopt when none does.
std::optional<Expectation> ResolveExpectation(const std::vector<ExpectationRule>& rules,
                                              std::string_view target_name,
                                              std::string_view dspy_version);

}  // namespace dspy_compat
