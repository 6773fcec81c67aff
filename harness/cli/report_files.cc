#include "cli/report_files.h"

#include "reports/html_report.h"
#include "reports/junit_report.h"
#include "reports/markdown_report.h"
#include "results/atomic_file.h"
#include "results/results_file.h"

namespace dspy_compat {

std::optional<std::string> RenderReport(const Results& results, std::string_view format) {
  if (format == "md") return RenderMarkdown(results);
  if (format == "html") return RenderHtml(results);
  if (format == "junit") return RenderJunit(results);
  if (format == "json") {
    return ToJson(results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return std::nullopt;
}

void WriteReportFiles(const std::filesystem::path& dir, const Results& results) {
  WriteFileAtomically(dir / "report.md", RenderMarkdown(results));
  WriteFileAtomically(dir / "report.html", RenderHtml(results));
  WriteFileAtomically(dir / "junit.xml", RenderJunit(results));
}

}  // namespace dspy_compat
