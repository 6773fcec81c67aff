// dspy-compat report: a results.json in, one report format out.
#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_files.h"
#include "results/atomic_file.h"
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
  std::optional<std::string> text = RenderReport(results, options.format);
  if (!text) {
    std::cerr << "dspy-compat: unknown report format '" << options.format
              << "' (known: md, html, json, junit)\n";
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
