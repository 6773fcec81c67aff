// The dspy-compat command line: every subcommand with its flags, parsed, and
// the chosen command called. main.cc is this and nothing else.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/audit_command.h"
#include "cli/commands.h"

namespace dspy_compat {

class CommandLine {
 public:
  CommandLine();
  CommandLine(const CommandLine&) = delete;
  CommandLine& operator=(const CommandLine&) = delete;

  // Parses argv and runs the chosen subcommand; returns its exit code
  // (exit_codes.h). --help and --version print and return 0; a parse error
  // prints CLI11's message and returns kExitUsage.
  int Main(int argc, const char* const* argv);

  CLI::App& app() { return app_; }

 private:
  CLI::App app_;
  RunOptions run_;
  EnvsOptions envs_;
  MockServerOptions mock_;
  ReportOptions report_;
  GateOptions gate_;
  MergeOptions merge_;
  BisectOptions bisect_;
  AuditOptions audit_;
  CLI::App* run_cmd_ = nullptr;
  CLI::App* envs_cmd_ = nullptr;
  CLI::App* mock_cmd_ = nullptr;
  CLI::App* report_cmd_ = nullptr;
  CLI::App* gate_cmd_ = nullptr;
  CLI::App* merge_cmd_ = nullptr;
  CLI::App* bisect_cmd_ = nullptr;
  CLI::App* audit_cmd_ = nullptr;
};

}  // namespace dspy_compat
