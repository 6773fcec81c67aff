// Each subcommand's flags, declared with CLI11 beside its command
// (<name>_flags.cc): its description, options and help texts. app.cc adds
// them all to the one CLI::App; help_test.cc checks what --help says.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace dspy_compat {

// Each returns the subcommand it added to `app`, bound to `options`.
CLI::App* AddRunFlags(CLI::App& app, RunOptions& options);
CLI::App* AddEnvsFlags(CLI::App& app, EnvsOptions& options);  // its own sync and list
CLI::App* AddMockServerFlags(CLI::App& app, MockServerOptions& options);
CLI::App* AddReportFlags(CLI::App& app, ReportOptions& options);
CLI::App* AddGateFlags(CLI::App& app, GateOptions& options);
CLI::App* AddMergeFlags(CLI::App& app, MergeOptions& options);
CLI::App* AddBisectFlags(CLI::App& app, BisectOptions& options);

// --repeat's value for run and audit: a count in 1..100000, "adaptive" or
// MIN..MAX. A CLI11 check: "" when good, else what is wrong.
std::string CheckRepeat(const std::string& text);

// --knowledge FILE (repeatable), shared by run, report and merge.
void AddKnowledgeFlag(CLI::App& command, std::vector<std::filesystem::path>& files);

}  // namespace dspy_compat
