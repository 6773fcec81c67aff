#include "cli/audit_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "audit/annotations.h"
#include "audit/audit_markdown.h"
#include "audit/audit_report.h"
#include "audit/audit_verdict.h"
#include "audit/patterns.h"
#include "audit/sarif.h"
#include "audit/scan.h"
#include "catalogue/discovery.h"
#include "cli/audit_run.h"
#include "cli/exit_codes.h"
#include "cli/flags.h"
#include "cli/out_folder.h"
#include "cli/source_root.h"
#include "core/iso_time.h"
#include "results/atomic_file.h"
#include "results/results_file.h"

namespace dspy_compat {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAuditFooter =
    R"(Patterns (fixtures/audit/patterns.toml; scanner: harness/audit/scanner/):
  asyncify-not-outermost, asyncify-in-worker, context-around-asyncify,
  context-lm-silently-ignored, context-in-thread-event-loop,
  configure-outside-main-thread, parallel-in-asyncify (errors and warnings),
  event-loop-in-thread (a note).
Suppress one on its line with `# dspy-compat: ignore[PATTERN]` (or a bare
`# dspy-compat: ignore`); suppressed findings are counted and listed.

Writes OUT/audit.sarif (SARIF 2.1.0), OUT/audit.md and OUT/scan.json; prints
GitHub workflow annotations with --annotations or when GITHUB_ACTIONS=true.

With --targets, one command for an audit: after the scan, one `run` session
with DIR installed in every target (as `run --project DIR`), its files
(results.json, report.md, ...) in OUT/run/, runs the project's scenarios and
tests (--scenarios; else [tool.dspy-compat] scenarios in DIR/pyproject.toml;
else the test_*.py and *_test.py files under DIR/tests and DIR/test) and the
catalogue scenarios that measure each unsuppressed finding, with their
migrated variants. [tool.dspy-compat] also gives what the flags leave unset
(repeat, jobs, timeout, schedule, ...), not its targets. OUT/audit.md then
starts with the verdict: the findings whose scenario regresses or changes
behaviour against the first target (the catalogue's EXPECT lines set
aside; notes decide nothing), the project's scenarios and tests that
regress or change behaviour (judged as `run --gate` judges them), and what
is inconclusive; then the findings with their outcomes per target, then the
run's report.

Exit codes:
  0  no unsuppressed finding of level error or warning (notes do not fail);
     with --targets: and nothing regresses or changes behaviour
  1  at least one unsuppressed error or warning; with --targets: or a
     finding's scenario or a project's scenario or test regresses or changes
     behaviour on a target
  2  bad input: no such folder, a malformed --results file, unwritable OUT;
     with --targets: DIR no project folder, a wrong flag or scenario, an
     unknown target, nothing to run
  3  the scanner could not run (no python3 >= 3.9 at --python); with
     --targets: the run could not finish (a target or the project could not
     be provisioned, an infrastructure error) or a pair is inconclusive (a
     run the harness could not run, a scenario or test that could not start,
     no runs): never a pass, even with no finding
  130  interrupted (Ctrl-C/SIGTERM); the runs finished so far are reported)";

int Fail(int code, const std::string& message) {
  std::cerr << "dspy-compat audit: " << message << "\n";
  return code;
}

bool GithubActions() {
  const char* value = std::getenv("GITHUB_ACTIONS");
  return value != nullptr && std::string_view(value) == "true";
}

}  // namespace

CLI::App* AddAuditSubcommand(CLI::App& app, AuditOptions& options) {
  auto* cmd = app.add_subcommand(
      "audit",
      "Scan a project's Python code for the DSPy async and settings patterns the catalogue "
      "measures; write OUT/audit.sarif and OUT/audit.md (with --targets: also run its tests and "
      "the findings' scenarios on the targets, and one verdict)");
  cmd->add_option("dir", options.dir, "The project folder (or a Python file) to scan")->required();
  cmd->add_option("-o,--out", options.out, "Output folder")->capture_default_str();
  cmd->add_option("--results", options.results,
                  "A results.json (dspy-compat run) whose outcomes of each pattern's scenario "
                  "the findings show per target");
  cmd->add_option("--python", options.python,
                  "The interpreter that runs the scanner (Python >= 3.9; a target's works)")
      ->capture_default_str();
  cmd->add_flag("--annotations", options.annotations,
                "Print GitHub workflow annotations (default when GITHUB_ACTIONS=true)");
  auto* targets =
      cmd->add_option("--targets", options.targets,
                      "Also run the project's scenarios and tests and the findings' catalogue "
                      "scenarios on these targets, DIR installed in each (as `run --targets`: "
                      "names, dspy==2.6.0, 'dspy>=2.5.38,<2.6'; comma-separated or repeated); "
                      "the first is the baseline")
          ->allow_extra_args(false);
  cmd->add_option("--scenarios", options.scenarios,
                  "With --targets: the project's scenario files or folders, pytest files or "
                  "FILE::NAME (default: [tool.dspy-compat] scenarios, else the pytest files "
                  "under DIR/tests and DIR/test)")
      ->delimiter(',')
      ->needs(targets);
  cmd->add_option("--repeat", options.repeat,
                  "With --targets: repetitions per scenario and target, as run's --repeat (a "
                  "count, adaptive, or MIN..MAX; default: [tool.dspy-compat] repeat, else "
                  "run's default)")
      ->check(CheckRepeat)
      ->needs(targets);
  cmd->add_option("-j,--jobs", options.jobs,
                  "With --targets: runs in parallel (default: number of cores)")
      ->check(CLI::Range(1, 1024))
      ->needs(targets);
  cmd->add_option("--seed", options.seed,
                  "With --targets: seed for the mock LM's delays (default: random; recorded)")
      ->needs(targets);
  cmd->add_option("--cache-dir", options.cache_dir,
                  "With --targets: environment cache (default: $DSPY_COMPAT_CACHE)")
      ->needs(targets);
  cmd->footer(kAuditFooter);
  return cmd;
}

namespace {

void PrintFindings(const AuditReport& report, const AuditOptions& options) {
  if (options.annotations || GithubActions()) {
    std::cout << GithubAnnotations(report);
  } else {
    for (const auto& entry : report.entries) {
      if (entry.finding.suppressed) continue;
      std::cout << fmt::format("{}:{}:{}: {} [{}]: {}\n", entry.finding.file, entry.finding.line,
                               entry.finding.column, entry.pattern.level, entry.pattern.id,
                               entry.finding.message);
    }
  }
  for (const auto& failure : report.scan.parse_errors) {
    std::cerr << fmt::format("dspy-compat audit: not scanned: {}:{}: {}\n", failure.file,
                             failure.line, failure.message);
  }
}

void PrintSummary(const AuditReport& report, const AuditOptions& options) {
  std::cout << fmt::format(
      "dspy-compat audit: {} finding(s), {} error or warning, {} suppressed, in {} file(s) "
      "scanned in {:.2f} s; wrote {}, {}\n",
      report.Unsuppressed(), report.Failing(), report.Suppressed(), report.scan.files_scanned,
      report.scan.seconds, (options.out / "audit.sarif").string(),
      (options.out / "audit.md").string());
}

int ExitCodeOf(AuditVerdictKind kind) {
  switch (kind) {
    case AuditVerdictKind::kPassed:
      return kExitOk;
    case AuditVerdictKind::kFailed:
      return kExitRegression;
    case AuditVerdictKind::kInconclusive:
      break;
  }
  return kExitInconclusive;
}

// audit DIR --targets: the scan is done (inputs.scan); run the project's
// scenarios and tests and the findings' scenarios in one session
// (RunCommand, into OUT/run), then judge its results.json with the findings.
int AuditOnTargets(const AuditOptions& options, AuditInputs inputs,
                   const std::optional<ProjectConfig>& config, const fs::path& base) {
  // Which catalogue scenarios measure the findings (their files).
  AuditInputs scan_only = inputs;
  AuditReport scanned;
  try {
    scanned = BuildAuditReport(std::move(scan_only));
  } catch (const AuditInputError& e) {
    return Fail(kExitUsage, e.what());
  }
  const std::vector<std::string> finding_ids = FindingScenarios(scanned);
  std::vector<fs::path> finding_files;
  for (const std::string& id : finding_ids) {
    for (const Scenario& s : inputs.catalogue) {
      if (s.id == id) finding_files.push_back(s.path);
    }
  }
  RunOptions run;
  try {
    run = AuditRunOptions(options, config ? &*config : nullptr, finding_files);
  } catch (const ConfigError& e) {
    return Fail(kExitUsage, e.what());
  }
  if (run.scenarios.empty()) {
    return Fail(kExitUsage,
                fmt::format("nothing to run on the targets: no unsuppressed finding to measure, "
                            "no [tool.dspy-compat] scenarios in {} and no test_*.py under its "
                            "tests/ or test/; give the project's scenarios with --scenarios",
                            options.dir.string()));
  }
  PrintFindings(scanned, options);  // before the run, which takes a while
  // OUT is dspy-compat's (the marker run's folders carry): when it lies
  // inside DIR, the project's copy in each target leaves it out, so the
  // audit's own files never change the project's environment.
  std::ofstream(options.out / kOutMarker, std::ios::app);
  std::cerr << fmt::format(
      "dspy-compat audit: running {} of the project's scenario paths and {} catalogue "
      "scenario(s) for the findings, in {}\n",
      run.scenarios.size() - finding_files.size(), finding_files.size(), run.out.string());
  const std::string started = IsoUtcNow();
  const int run_exit = RunCommand(run);

  // The session's results, when it wrote them (not an earlier session's).
  const fs::path results_path = run.out / "results.json";
  std::optional<Results> measured;
  std::error_code ec;
  if (fs::exists(results_path, ec)) {
    try {
      Results read = ReadResultsFile(results_path);
      if (read.environment.started_at >= started) measured = std::move(read);
    } catch (const ResultsFormatError& e) {
      std::cerr << "dspy-compat audit: " << e.what() << "\n";
    }
  }
  AuditReport report;
  AuditVerdict verdict;
  std::string run_report;
  if (measured) {
    inputs.results = &*measured;
    inputs.results_path = results_path.string();
    try {
      report = BuildAuditReport(std::move(inputs));
    } catch (const AuditInputError& e) {
      return Fail(kExitUsage, e.what());
    }
    verdict = DecideAudit(report, *measured, finding_ids);
    ReadWholeFile(run.out / "report.md", run_report);  // none: the audit says so without it
  } else {
    report = std::move(scanned);
    verdict = AuditWithoutRun(
        report,
        fmt::format(
            "the run on the targets exited {} before writing results; its messages are in the log",
            run_exit));
  }
  try {
    WriteFileAtomically(options.out / "audit.sarif",
                        ToSarif(report, DSPY_COMPAT_VERSION, fs::absolute(base)).dump(2) + "\n");
    WriteFileAtomically(options.out / "audit.md",
                        AuditMarkdownWithRun(report, verdict, run_report, run.out.string()));
  } catch (const fs::filesystem_error& e) {
    return Fail(kExitUsage,
                fmt::format("cannot write into {}: {}", options.out.string(), e.code().message()));
  }
  for (const AuditVerdictItem& item : verdict.items) {
    std::cout << fmt::format("{} on {}: {}{}: {}\n", PairStatusName(item.status), item.target,
                             item.finding.empty() ? "" : "finding " + item.finding + ": ",
                             item.scenario, item.reason);
  }
  PrintSummary(report, options);
  std::cout << "dspy-compat audit: " << verdict.Headline() << "\n";
  // A run that did not finish is never a pass, whatever was measured.
  if (run_exit != kExitOk) return run_exit;
  return ExitCodeOf(verdict.kind);
}

}  // namespace

int AuditCommand(const AuditOptions& options) {
  std::error_code ec;
  if (!fs::exists(options.dir, ec)) {
    return Fail(kExitUsage, "no such folder or file: " + options.dir.string());
  }
  if (!options.targets.empty() && !fs::is_directory(options.dir, ec)) {
    return Fail(kExitUsage, "--targets runs the project in DIR: give its folder, not a file (" +
                                options.dir.string() + ")");
  }
  fs::path root = SourceRoot();
  std::vector<AuditPattern> patterns;
  std::vector<Scenario> catalogue;
  try {
    patterns = ReadAuditPatterns(root / "fixtures" / "audit" / "patterns.toml");
    catalogue = DiscoverScenarios({root / "scenarios"});
  } catch (const AuditInputError& e) {
    return Fail(kExitUsage, e.what());
  } catch (const ScenarioError& e) {
    return Fail(kExitUsage, e.what());
  }
  std::optional<Results> results;
  if (options.results) {
    try {
      results = ReadResultsFile(*options.results);
    } catch (const ResultsFormatError& e) {
      return Fail(kExitUsage, e.what());
    }
  }
  // DIR's settings for the run, read (and so checked) before anything runs.
  std::optional<ProjectConfig> config;
  if (!options.targets.empty() && fs::is_regular_file(options.dir / "pyproject.toml", ec)) {
    try {
      config = ReadProjectConfig(options.dir / "pyproject.toml");
      std::cerr << fmt::format("dspy-compat audit: run settings from {} [tool.dspy-compat]\n",
                               (options.dir / "pyproject.toml").string());
    } catch (const ConfigError& e) {
      return Fail(kExitUsage, e.what());
    }
  }
  try {
    fs::create_directories(options.out);
  } catch (const fs::filesystem_error& e) {
    return Fail(kExitUsage,
                fmt::format("cannot create {}: {}", options.out.string(), e.code().message()));
  }

  AuditInputs inputs;
  try {
    inputs.scan =
        RunScanner({.python = options.python,
                    .script = root / "harness" / "audit" / "scanner" / "dspy_compat_audit.py",
                    .root = options.dir,
                    .work_dir = options.out});
  } catch (const ScannerError& e) {
    return Fail(kExitInfrastructure, e.what());
  }
  inputs.patterns = std::move(patterns);
  inputs.catalogue = std::move(catalogue);
  inputs.results = results ? &*results : nullptr;
  inputs.results_path = options.results ? options.results->string() : "";
  inputs.root = options.dir.string();
  // Paths relative to where the audit runs (the repository root in CI), so
  // that code scanning and annotations find the files.
  fs::path scanned_folder = fs::is_directory(options.dir) ? options.dir : options.dir.parent_path();
  fs::path base = fs::current_path();
  if (options.dir.is_relative()) {
    inputs.display_prefix = scanned_folder;
  } else {
    base = scanned_folder;
  }
  if (!options.targets.empty()) return AuditOnTargets(options, std::move(inputs), config, base);
  AuditReport report;
  try {
    report = BuildAuditReport(std::move(inputs));
  } catch (const AuditInputError& e) {
    return Fail(kExitUsage, e.what());
  }

  try {
    WriteFileAtomically(options.out / "audit.sarif",
                        ToSarif(report, DSPY_COMPAT_VERSION, fs::absolute(base)).dump(2) + "\n");
    WriteFileAtomically(options.out / "audit.md", AuditMarkdown(report));
  } catch (const fs::filesystem_error& e) {
    return Fail(kExitUsage,
                fmt::format("cannot write into {}: {}", options.out.string(), e.code().message()));
  }
  PrintFindings(report, options);
  PrintSummary(report, options);
  return report.Failing() > 0 ? kExitRegression : kExitOk;
}

}  // namespace dspy_compat
