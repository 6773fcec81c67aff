// The knowledge a session's or a command's reports use, and the set of
// report files a session (run, merge) leaves beside its results.json.
#pragma once

#include <filesystem>
#include <vector>

#include "core/model.h"
#include "reports/knowledge_base.h"

namespace dspy_compat {

// The team's --knowledge files, in the order given, then the bundled
// fixtures/knowledge/dspy.toml under `root`: a team's entry is tried first.
// Throws KnowledgeError (a one-line message naming the file and the key).
KnowledgeBase LoadKnowledge(const std::vector<std::filesystem::path>& team_files,
                            const std::filesystem::path& root);

// Each report format that has a file (reports/report_formats.h: report.md,
// report.html, junit.xml), each written atomically.
// Throws std::filesystem::filesystem_error.
void WriteReportFiles(const std::filesystem::path& dir, const Results& results,
                      const KnowledgeBase& knowledge);

}  // namespace dspy_compat
