#include "runner/resume.h"

#include <fmt/format.h>

#include "results/results_file.h"

namespace dspy_compat {

Results ReadSessionToResume(const std::filesystem::path& dir) {
  const auto path = dir / "results.json";
  Results recorded;
  try {
    recorded = ReadResultsFile(path);
  } catch (const ResultsFormatError& e) {
    throw ResumeError(e.what());
  }
  if (recorded.environment.session_options.empty() || !recorded.environment.plan) {
    throw ResumeError(fmt::format(
        "{}: no session record to resume from (written by `merge` or by a dspy-compat before "
        "results v1.11); run the session again",
        path.string()));
  }
  return recorded;
}

}  // namespace dspy_compat
