#include "cli/audit_command.h"

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "audit/annotations.h"
#include "audit/audit_markdown.h"
#include "audit/audit_report.h"
#include "audit/patterns.h"
#include "audit/sarif.h"
#include "audit/scan.h"
#include "catalogue/discovery.h"
#include "cli/exit_codes.h"
#include "cli/source_root.h"
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

Exit codes:
  0  no unsuppressed finding of level error or warning (notes do not fail)
  1  at least one unsuppressed error or warning
  2  bad input: no such folder, a malformed --results file, unwritable OUT
  3  the scanner could not run (no python3 >= 3.9 at --python))";

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
      "measures; write OUT/audit.sarif and OUT/audit.md");
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
  cmd->footer(kAuditFooter);
  return cmd;
}

int AuditCommand(const AuditOptions& options) {
  std::error_code ec;
  if (!fs::exists(options.dir, ec)) {
    return Fail(kExitUsage, "no such folder or file: " + options.dir.string());
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
  std::cout << fmt::format(
      "dspy-compat audit: {} finding(s), {} error or warning, {} suppressed, in {} file(s) "
      "scanned in {:.2f} s; wrote {}, {}\n",
      report.Unsuppressed(), report.Failing(), report.Suppressed(), report.scan.files_scanned,
      report.scan.seconds, (options.out / "audit.sarif").string(),
      (options.out / "audit.md").string());
  return report.Failing() > 0 ? kExitRegression : kExitOk;
}

}  // namespace dspy_compat
