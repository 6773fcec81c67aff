// A scenario's metadata lives in its own leading comment lines, the way LLVM
// lit keeps RUN:/REQUIRES: in a test file:
//   # SUMMARY: one line
//   # EXERCISES: the pattern, and why a user writes it
//   # LM-DELAY-MS: 20-80      (mock LM latency per response; or one number)
//   # TIMEOUT: 60             (seconds)
//   # REPEAT: 10              (repetitions unless --repeat is given)
//   # MIGRATION-OF: issue1867_concurrent16   (this is the recommended rewrite of that one)
//   # FORCES: issue1867_concurrent16         (that one, its race forced by MOCK-FIXTURE)
//   # EXPECT: fail-or-flaky on dspy>=2.5.40  (what the gate accepts; see expectations.h)
//   # FAMILY: issue1867       (the group of patterns it belongs to)
//   # REQUIRES: dspy>=2.5.40 dspy<2.6       (targets that do not match skip it: "unsupported")
//   # MOCK-FIXTURE: fixtures/mock/x.json     (mock LM rules for this scenario's runs only)
// Other comment lines are ignored; the header ends at the first line that is
// not a comment.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

class ScenarioError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The ranges a header's numbers (and the matching flags) must lie in.
inline constexpr int kMaxRepeat = 100000;
inline constexpr int kMaxTimeoutSeconds = 86400;
inline constexpr int kMaxDelayMs = 600000;  // ten minutes

// The header's fields are ScenarioHeader (core/model.h), which a Scenario is.
// source names the file in error messages.
ScenarioHeader ParseScenarioHeader(const std::string& text, const std::string& source);

// "20-80" or "50" (milliseconds, each in 0..kMaxDelayMs).
DelaySpec ParseDelaySpec(const std::string& text);

}  // namespace dspy_compat
