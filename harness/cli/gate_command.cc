// dspy-compat gate: results (and a baseline) in, a CI decision out, as an
// exit code: 0 passed, 1 regression or behaviour change, 3 inconclusive
// (infrastructure, or a scenario that could not start); 2 for bad input.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "results/baseline.h"
#include "results/gate.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

int ExitCodeOf(GateOutcome outcome) {
  switch (outcome) {
    case GateOutcome::kPassed:
      return kExitOk;
    case GateOutcome::kRegression:
      return kExitRegression;
    case GateOutcome::kInfrastructure:
    case GateOutcome::kUnresolved:
      break;
  }
  return kExitInconclusive;
}

}  // namespace

int CheckGateOptions(const GateOptions& options) {
  if (options.update_baseline && !options.baseline) {
    std::cerr << "dspy-compat: --update-baseline needs --baseline FILE (the file to write)\n";
    return kExitUsage;
  }
  if (options.baseline && !options.update_baseline) {
    try {
      ReadBaselineFile(*options.baseline);
    } catch (const BaselineFormatError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

int ApplyGate(const Results& results, const GateOptions& options, std::ostream& out) {
  if (options.update_baseline && !options.baseline) return CheckGateOptions(options);
  Baseline baseline;
  bool have_baseline = false;
  if (options.baseline) {
    std::error_code ec;
    bool exists = std::filesystem::exists(*options.baseline, ec);
    if (exists || !options.update_baseline) {
      try {
        baseline = ReadBaselineFile(*options.baseline);
        have_baseline = true;
      } catch (const BaselineFormatError& e) {
        std::cerr << "dspy-compat: " << e.what() << "\n";
        return kExitUsage;
      }
    }
  }
  GateReport report = EvaluateGate(results, have_baseline ? &baseline : nullptr,
                                   GatePolicy{options.strict_prompts});
  out << FormatGateReport(report) << std::flush;
  if (!options.update_baseline) return ExitCodeOf(report.outcome);
  // Never accept an incomplete session as the new normal.
  if (report.outcome == GateOutcome::kInfrastructure) {
    std::cerr << "dspy-compat: baseline not updated: the results are incomplete\n";
    return kExitInfrastructure;
  }
  if (report.outcome == GateOutcome::kUnresolved) {
    std::cerr << "dspy-compat: baseline not updated: a scenario could not start\n";
    return kExitInconclusive;
  }
  Baseline updated = UpdateBaseline(std::move(baseline), BaselineFromResults(results));
  try {
    WriteBaselineFile(*options.baseline, updated);
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "dspy-compat: cannot write " << options.baseline->string() << ": "
              << e.code().message() << "\n";
    return kExitUsage;
  }
  out << fmt::format("dspy-compat: baseline {} updated ({} scenario/target pairs)\n",
                     options.baseline->string(), updated.entries.size());
  return kExitOk;
}

int GateCommand(const GateOptions& options) {
  Results results;
  try {
    results = ReadResultsFile(options.results);
  } catch (const ResultsFormatError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  return ApplyGate(results, options, std::cout);
}

}  // namespace dspy_compat
