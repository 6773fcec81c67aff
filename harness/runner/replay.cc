#include "runner/replay.h"

#include <fmt/format.h>

#include "results/results_file.h"

namespace dspy_compat {
namespace fs = std::filesystem;

ReplayedRun FindReplayedRun(const std::string& spec, const fs::path& root) {
  const std::size_t colon = spec.rfind(':');
  if (colon != std::string::npos) {
    Results earlier;
    try {
      earlier = ReadResultsFile(spec.substr(0, colon));
    } catch (const std::runtime_error& e) {  // ResultsFormatError, file errors
      throw ReplayError(fmt::format("--replay: {}", e.what()));
    }
    const std::string run_id = spec.substr(colon + 1);
    for (const RunResult& r : earlier.runs) {
      if (r.run_id != run_id || !r.lm_schedule) continue;
      ReplayedRun found{.run = r, .scenario_path = std::nullopt, .target_name = r.target_name};
      auto info = earlier.environment.scenario_info.find(r.scenario_id);
      if (info != earlier.environment.scenario_info.end()) {
        const fs::path path = info->second.path;
        found.scenario_path = path.is_absolute() ? path : root / path;
      }
      return found;
    }
  }
  throw ReplayError(fmt::format(
      "--replay {}: no explored run of that id in that file (expected RESULTS_JSON:RUN_ID of a "
      "run with an lm_schedule)",
      spec));
}

}  // namespace dspy_compat
