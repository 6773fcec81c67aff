#include "reports/report_formats.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <vector>

#include "reports/html_report.h"
#include "reports/junit_report.h"
#include "reports/markdown_report.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {

std::string RenderJson(const Results& results, const KnowledgeBase&) {
  return ToJson(results).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

constexpr std::array kFormats = {
    ReportFormat{"md", "PR comment, job summary", "report.md", &RenderMarkdown},
    ReportFormat{"html", "one self-contained file", "report.html", &RenderHtml},
    ReportFormat{"json", "the results, schema dspy-compat/results/v1", "", &RenderJson},
    ReportFormat{"junit", "Jenkins JUnit XML", "junit.xml", &RenderJunit},
};

}  // namespace

std::span<const ReportFormat> ReportFormats() { return kFormats; }

const ReportFormat* FindReportFormat(std::string_view name) {
  for (const ReportFormat& format : kFormats) {
    if (format.name == name) return &format;
  }
  return nullptr;
}

std::string ReportFormatNames() {
  std::vector<std::string_view> names;
  for (const ReportFormat& format : kFormats) names.push_back(format.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

std::optional<std::string> RenderReport(const Results& results, const KnowledgeBase& knowledge,
                                        std::string_view name) {
  const ReportFormat* format = FindReportFormat(name);
  if (format == nullptr) return std::nullopt;
  return format->render(results, knowledge);
}

}  // namespace dspy_compat
