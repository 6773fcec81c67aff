#include <fstream>
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "reports/markdown_report.h"
#include "results/results_file.h"

namespace dspy_compat {

int ReportCommand(const ReportOptions& options) {
  Results results;
  try {
    results = ReadResultsFile(options.results);
  } catch (const ResultsFormatError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  std::string text;
  if (options.format == "md") {
    text = RenderMarkdown(results);
  } else if (options.format == "json") {
    text = ToJson(results).dump(2) + "\n";
  } else {
    std::cerr << "dspy-compat: unknown report format '" << options.format
              << "' (this version renders md and json)\n";
    return kExitUsage;
  }
  if (!options.output) {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(*options.output);
  out << text;
  if (!out) {
    std::cerr << "dspy-compat: cannot write " << options.output->string() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace dspy_compat
