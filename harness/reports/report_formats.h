// The report formats, in one table: `report --format` accepts and documents
// these names, and a session (run, merge) writes each format that has a file
// name beside its results.json.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/model.h"
#include "reports/knowledge_base.h"

namespace dspy_compat {

struct ReportFormat {
  std::string_view name;  // --format NAME
  std::string_view help;  // what it is for, for --help
  // What a session writes beside results.json; "" for json (results.json is
  // the results themselves).
  std::string_view file;
  std::string (*render)(const Results& results, const KnowledgeBase& knowledge);
};

std::span<const ReportFormat> ReportFormats();

// nullptr for an unknown name.
const ReportFormat* FindReportFormat(std::string_view name);

// "md, html, json, junit"
std::string ReportFormatNames();

// nullopt for an unknown format.
std::optional<std::string> RenderReport(const Results& results, const KnowledgeBase& knowledge,
                                        std::string_view format);

}  // namespace dspy_compat
