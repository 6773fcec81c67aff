// Rendering a results file in each report format, and the set of files a
// session (run, merge) leaves beside its results.json.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace dspy_compat {

inline constexpr const char* kReportFormats[] = {"md", "html", "json", "junit"};

// nullopt for an unknown format.
std::optional<std::string> RenderReport(const Results& results, std::string_view format);

// DIR/report.md, DIR/report.html and DIR/junit.xml, each written atomically.
// Throws std::filesystem::filesystem_error.
void WriteReportFiles(const std::filesystem::path& dir, const Results& results);

}  // namespace dspy_compat
