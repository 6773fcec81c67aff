// What `run --resume DIR` needs of the session it finishes: its options as
// given (after the project's [tool.dspy-compat]), recorded in results.json's
// `environment.session_options` (results v1.11). Paths are made absolute, so
// that a resume from another folder finds the same files.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "cli/commands.h"
#include "core/model.h"

namespace dspy_compat {

// A JSON object's text.
std::string SessionOptionsJson(const RunOptions& options);

// The options SessionOptionsJson recorded. Throws std::runtime_error (one
// line naming the bad key) on a record it did not write.
RunOptions RunOptionsFromSessionJson(const std::string& text);

// The options that finish the session `recorded` (DIR/results.json,
// runner/resume.h): those it recorded, with DIR as --out and --resume, and
// its seed and command line. Throws as RunOptionsFromSessionJson.
RunOptions RunOptionsToResume(const Results& recorded, const std::filesystem::path& dir);

}  // namespace dspy_compat
