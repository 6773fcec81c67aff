// dspy-compat report: a results.json (and knowledge files) in, one report
// format out.
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_files.h"
#include "cli/source_root.h"
#include "reports/report_formats.h"
#include "results/atomic_file.h"
#include "results/results_file.h"

namespace dspy_compat {

int ReportCommand(const ReportOptions& options) {
  Results results;
  KnowledgeBase knowledge;
  try {
    results = ReadResultsFile(options.results);
    knowledge = LoadKnowledge(options.knowledge, SourceRoot());
  } catch (const std::runtime_error& e) {  // ResultsFormatError, KnowledgeError
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  if (options.baseline_target) {
    // Verdicts compare with the first target; the runs stay as they are.
    auto& targets = results.environment.targets;
    auto it = std::find_if(targets.begin(), targets.end(),
                           [&](const TargetInfo& t) { return t.name == *options.baseline_target; });
    if (it == targets.end()) {
      std::cerr << "dspy-compat: --baseline-target " << *options.baseline_target
                << " is not a target of " << options.results.string() << "\n";
      return kExitUsage;
    }
    std::rotate(targets.begin(), it, it + 1);
  }
  // What this report used, not what the session's did (json shows it).
  results.environment.knowledge = knowledge.files();
  std::optional<std::string> text = RenderReport(results, knowledge, options.format);
  if (!text) {
    std::cerr << "dspy-compat: unknown report format '" << options.format
              << "' (known: " << ReportFormatNames() << ")\n";
    return kExitUsage;
  }
  if (!options.output) {
    std::cout << *text;
    return kExitOk;
  }
  try {
    WriteFileAtomically(*options.output, *text);
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "dspy-compat: cannot write " << options.output->string() << ": "
              << e.code().message() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace dspy_compat
