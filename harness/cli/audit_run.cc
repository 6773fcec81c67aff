#include "cli/audit_run.h"

#include <algorithm>
#include <string_view>
#include <system_error>

#include "catalogue/pytest_files.h"
#include "cli/project_options.h"

namespace dspy_compat {

namespace fs = std::filesystem;

std::vector<fs::path> ProjectTestFiles(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const char* folder : {"tests", "test"}) {
    std::error_code ec;
    if (!fs::is_directory(dir / folder, ec)) continue;
    auto it = fs::recursive_directory_iterator(dir / folder, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (it->is_directory(ec) && (name.starts_with('.') || name == "__pycache__")) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec) && IsPytestFile(it->path())) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

RunOptions AuditRunOptions(const AuditOptions& audit, const ProjectConfig* config,
                           const std::vector<fs::path>& finding_scenarios) {
  RunOptions run;
  run.targets = audit.targets;
  run.project = audit.dir;
  run.out = audit.out / "run";
  run.scenarios = audit.scenarios;
  if (audit.repeat) {
    const std::string& text = *audit.repeat;
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
      run.repeat = std::stoi(text);  // the flag checked its range
    } else {
      run.adaptive_repeat = text;
    }
  }
  if (audit.jobs) run.jobs = *audit.jobs;
  run.seed = audit.seed;
  run.cache_dir = audit.cache_dir;
  run.command_line = audit.command_line;
  if (config != nullptr) {
    auto given = [&](std::string_view flag) {
      if (flag == "--scenarios") return !audit.scenarios.empty();
      if (flag == "--repeat") return audit.repeat.has_value();
      if (flag == "--jobs") return audit.jobs.has_value();
      if (flag == "--seed") return audit.seed.has_value();
      // The audit's own decisions.
      return flag == "--targets" || flag == "--out" || flag == "--project" || flag == "--gate" ||
             flag == "--baseline";
    };
    ApplyProjectConfig(*config, given, run);
  }
  if (run.scenarios.empty()) run.scenarios = ProjectTestFiles(audit.dir);
  run.scenarios.insert(run.scenarios.end(), finding_scenarios.begin(), finding_scenarios.end());
  return run;
}

}  // namespace dspy_compat
