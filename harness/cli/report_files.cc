#include "cli/report_files.h"

#include "reports/report_formats.h"
#include "results/atomic_file.h"

namespace dspy_compat {

KnowledgeBase LoadKnowledge(const std::vector<std::filesystem::path>& team_files,
                            const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files = team_files;
  files.push_back(BundledKnowledgeFile(root));
  return KnowledgeBase(files);
}

void WriteReportFiles(const std::filesystem::path& dir, const Results& results,
                      const KnowledgeBase& knowledge) {
  for (const ReportFormat& format : ReportFormats()) {
    if (!format.file.empty())
      WriteFileAtomically(dir / format.file, format.render(results, knowledge));
  }
}

}  // namespace dspy_compat
