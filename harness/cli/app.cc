#include "cli/app.h"

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/flags.h"
#include "cli/project_options.h"

namespace dspy_compat {
namespace {

constexpr const char* kFooter = R"(Exit codes:
  0    done (for run: every planned run finished; read the report for verdicts);
       for gate and run --gate: the gate passed
  1    the gate found a regression: a scenario did worse than its expectation
       (EXPECT header lines, --baseline FILE, else the baseline target), or a
       behaviour change: it passes, but another model served a request, or the
       prompt format, request parameters, number of LM calls or the settings
       left behind differ from the baseline target's (EXPECT: behaviour-change
       accepts a known one; prompt text alone only with --strict-prompts)
  2    usage or input error: a wrong flag, a missing scenario, an unknown target,
       a malformed lock file, results file, baseline or knowledge file, shards
       that do not merge, an --out another session holds, that holds files
       dspy-compat did not make, or that cannot be written
  3    infrastructure error: a target could not be provisioned (a DSPy version
       the index does not serve, a resolution that fails), the mock LM
       server would not start, a run the harness could not run, results that
       are incomplete (a session that did not finish: `run --resume DIR`
       finishes it) or could not be written (a full disk); or inconclusive: a scenario could not start (unresolved:
       a syntax error, a missing module or file) (never reported as a
       regression, never as a pass)
  130  interrupted (Ctrl-C/SIGTERM); the results gathered so far were written

Containment (run): a scenario reaches only loopback; every LM it builds (any
provider prefix, any api_base, the openai client) is sent to the mock LM
server; a connection past loopback is refused and makes the run an error;
keys and tokens reach it as dummies (see README, "What a scenario can and
cannot reach").

Environment: DSPY_COMPAT_CACHE (environment cache, default ~/.cache/dspy-compat),
DSPY_COMPAT_ROOT (bundled fixtures and scenarios), CI (plain progress lines).)";

std::string JoinArgs(int argc, const char* const* argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

}  // namespace

CommandLine::CommandLine()
    : app_(
          "dspy-compat runs DSPy programs (scenarios) against pinned DSPy releases, each LM call\n"
          "answered by a local mock LM server, and reports which async patterns break on "
          "upgrade.") {
  app_.footer(kFooter);
  app_.require_subcommand(1);
  app_.set_version_flag("--version",
                        "dspy-compat " DSPY_COMPAT_VERSION " (commit " DSPY_COMPAT_GIT_COMMIT ")");
  run_cmd_ = AddRunFlags(app_, run_);
  envs_cmd_ = AddEnvsFlags(app_, envs_);
  mock_cmd_ = AddMockServerFlags(app_, mock_);
  report_cmd_ = AddReportFlags(app_, report_);
  gate_cmd_ = AddGateFlags(app_, gate_);
  merge_cmd_ = AddMergeFlags(app_, merge_);
  bisect_cmd_ = AddBisectFlags(app_, bisect_);
  audit_cmd_ = AddAuditSubcommand(app_, audit_);
}

int CommandLine::Main(int argc, const char* const* argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app_.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  run_.command_line = JoinArgs(argc, argv);
  merge_.command_line = run_.command_line;
  bisect_.command_line = run_.command_line;
  audit_.command_line = run_.command_line;
  if (*run_cmd_) {
    auto given = [&](std::string_view flag) { return run_cmd_->count(std::string(flag)) > 0; };
    // A resumed session keeps the settings it recorded, and takes no others.
    if (run_.resume) {
      for (const CLI::Option* option : run_cmd_->get_options()) {
        if (option->count() > 0 && option->get_name() != "--resume") {
          std::cerr << "dspy-compat: run --resume takes no other flag (" << option->get_name()
                    << " given): the session goes on with the options it recorded\n";
          return kExitUsage;
        }
      }
    } else {
      if (int code = ApplyProjectConfigHere(given, run_); code != kExitOk) return code;
    }
    return RunCommand(run_);
  }
  if (*envs_cmd_) {
    if (*envs_cmd_->get_subcommand("sync")) return EnvsSyncCommand(envs_);
    if (*envs_cmd_->get_subcommand("list")) return EnvsListCommand(envs_);
    if (*envs_cmd_->get_subcommand("lock")) return EnvsLockCommand(envs_);
  }
  if (*mock_cmd_) return MockServerCommand(mock_);
  if (*report_cmd_) return ReportCommand(report_);
  if (*gate_cmd_) return GateCommand(gate_);
  if (*merge_cmd_) return MergeCommand(merge_);
  if (*bisect_cmd_) return BisectCommand(bisect_);
  if (*audit_cmd_) return AuditCommand(audit_);
  return kExitUsage;
}

}  // namespace dspy_compat
