// dspy-compat report's flags (the command: report_command.cc).
#include <fmt/format.h>

#include <vector>

#include "cli/flags.h"
#include "reports/report_formats.h"

namespace dspy_compat {

CLI::App* AddReportFlags(CLI::App& app, ReportOptions& report) {
  auto* cmd = app.add_subcommand("report", "Render a report from a results.json");
  cmd->add_option("results", report.results, "results.json")->required();
  // The formats and their help come from the one table in reports/.
  std::vector<std::string> names;
  std::string help;
  for (const ReportFormat& format : ReportFormats()) {
    names.emplace_back(format.name);
    help += fmt::format("{}{} ({})", help.empty() ? "" : ", ", format.name, format.help);
  }
  cmd->add_option("--format", report.format, help)
      ->check(CLI::IsMember(names))
      ->capture_default_str();
  cmd->add_option("-o,--output", report.output, "Write here instead of stdout");
  cmd->add_option("--baseline-target", report.baseline_target,
                  "Compare every target with this one (default: the run's baseline, its first "
                  "target)");
  AddKnowledgeFlag(*cmd, report.knowledge);
  return cmd;
}

}  // namespace dspy_compat
