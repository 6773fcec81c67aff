// dspy-compat audit: the static scan of a project's Python code for the
// async and settings patterns the catalogue measures. Its flags live here
// (AddAuditSubcommand), so main.cc only registers it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace dspy_compat {

struct AuditOptions {
  std::filesystem::path dir;  // the project folder (or one file)
  std::filesystem::path out = "dspy-compat-audit";
  std::optional<std::filesystem::path> results;  // a results.json with the measured outcomes
  std::filesystem::path python = "python3";      // runs the scanner (stdlib only, >= 3.9)
  bool annotations = false;  // GitHub workflow commands on stdout (also when GITHUB_ACTIONS=true)

  // --targets: also run, with DIR installed in every target (`run --project
  // DIR`), the project's scenarios and tests and the catalogue scenarios that
  // measure the findings, into OUT/run/ (cli/audit_run.h); OUT/audit.md then
  // holds the verdict, the findings with their outcomes and the run's report.
  std::vector<std::string> targets;
  std::vector<std::filesystem::path> scenarios;  // the project's; default: audit_run.h
  std::optional<std::string> repeat;             // as run's --repeat: N, adaptive, MIN..MAX
  std::optional<int> jobs;
  std::optional<std::uint64_t> seed;
  std::optional<std::filesystem::path> cache_dir;
  std::string command_line;  // recorded in OUT/run/results.json
};

// Declares `audit`, its flags and its help on app; returns the subcommand.
CLI::App* AddAuditSubcommand(CLI::App& app, AuditOptions& options);

// Without --targets: exit 0: no unsuppressed error or warning; 1: some; 2:
// bad input; 3: the scanner could not run. With --targets: 0 nothing
// regresses and no failing finding; 1 a regression, a behaviour change or
// a failing finding; 2 bad input; 3 the run could not finish or a pair is
// inconclusive (never a pass); 130 interrupted.
int AuditCommand(const AuditOptions& options);

}  // namespace dspy_compat
