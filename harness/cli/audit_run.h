// The run `dspy-compat audit DIR --targets ...` makes after its scan: one
// `run` session (RunCommand) with DIR installed in every target, its files
// in OUT/run/, running the project's own scenarios and tests and the
// catalogue scenarios that measure the findings (audit/audit_verdict.h
// judges its results.json).
#pragma once

#include <filesystem>
#include <vector>

#include "cli/audit_command.h"
#include "cli/commands.h"
#include "config/project_config.h"

namespace dspy_compat {

// The project's pytest files (test_*.py, *_test.py) under DIR/tests and
// DIR/test, sorted, __pycache__ and hidden folders left out; empty when
// there are none.
std::vector<std::filesystem::path> ProjectTestFiles(const std::filesystem::path& dir);

// The run's options: the audit's targets; --project DIR; --out OUT/run; the
// audit's --repeat, --jobs, --seed and --cache-dir; what they leave unset
// from DIR's [tool.dspy-compat] (`config`, may be null) as `run` takes it
// (cli/project_options.h), except its targets, out, project, gate and
// baseline, which the audit decides. Scenarios: the project's (--scenarios,
// else the config's `scenarios`, else ProjectTestFiles(DIR)), then
// `finding_scenarios` (the catalogue files measuring the findings). Throws
// ConfigError on a config value `run` would refuse.
RunOptions AuditRunOptions(const AuditOptions& audit, const ProjectConfig* config,
                           const std::vector<std::filesystem::path>& finding_scenarios);

}  // namespace dspy_compat
