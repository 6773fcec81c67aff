// run --resume DIR: the session DIR/results.json records, read back so that
// it can be finished (runner/session.h restores its runs and plan; the
// command line restores its options from `environment.session_options`).
#pragma once

#include <filesystem>
#include <stdexcept>

#include "core/model.h"

namespace dspy_compat {

// One line naming the file.
class ResumeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// DIR/results.json, when it records a session (its options and its plan:
// results v1.11, not a merge). Throws ResumeError otherwise, or when it
// cannot be read.
Results ReadSessionToResume(const std::filesystem::path& dir);

}  // namespace dspy_compat
