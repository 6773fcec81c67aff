// What `run --resume DIR` needs of the session it finishes: its options as
// given (after the project's [tool.dspy-compat]), recorded in results.json's
// `environment.session_options` (results v1.11). Paths are made absolute, so
// that a resume from another folder finds the same files.
#pragma once

#include <stdexcept>
#include <string>

#include "cli/commands.h"

namespace dspy_compat {

// A JSON object's text.
std::string SessionOptionsJson(const RunOptions& options);

// The options SessionOptionsJson recorded. Throws std::runtime_error (one
// line naming the bad key) on a record it did not write.
RunOptions RunOptionsFromSessionJson(const std::string& text);

}  // namespace dspy_compat
