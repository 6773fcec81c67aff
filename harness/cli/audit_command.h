// dspy-compat audit: the static scan of a project's Python code for the
// async and settings patterns the catalogue measures. Its flags live here
// (AddAuditSubcommand), so main.cc only registers it.
#pragma once

#include <filesystem>
#include <optional>

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
};

// Declares `audit`, its flags and its help on app; returns the subcommand.
CLI::App* AddAuditSubcommand(CLI::App& app, AuditOptions& options);

// Exit 0: no unsuppressed error or warning; 1: some; 2: bad input; 3: the
// scanner could not run.
int AuditCommand(const AuditOptions& options);

}  // namespace dspy_compat
