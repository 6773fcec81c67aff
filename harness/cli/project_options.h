// `run` options from the project's [tool.dspy-compat] (config/project_config.h):
// what the command line leaves unset comes from there.
#pragma once

#include <functional>
#include <string_view>

#include "cli/commands.h"
#include "config/project_config.h"

namespace dspy_compat {

// Fills each option whose flag (e.g. "--repeat") `given` says was not on the
// command line from `config`. Throws ConfigError on a value `run` would
// refuse (a malformed repeat).
void ApplyProjectConfig(const ProjectConfig& config,
                        const std::function<bool(std::string_view flag)>& given, RunOptions& run);

// Finds the project's config (DIR/pyproject.toml with --project DIR, else
// from the current folder upward) and applies it,
// saying on stderr which file it read; returns kExitOk, or kExitUsage after
// a one-line error.
int ApplyProjectConfigHere(const std::function<bool(std::string_view flag)>& given,
                           RunOptions& run);

}  // namespace dspy_compat
