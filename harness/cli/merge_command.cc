// dspy-compat merge: shard results in, one results.json and its reports out.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/report_files.h"
#include "cli/source_root.h"
#include "results/merge.h"
#include "results/results_file.h"

namespace dspy_compat {

int MergeCommand(const MergeOptions& options) {
  std::vector<Results> shards;
  KnowledgeBase knowledge;
  try {
    for (const auto& path : options.inputs) shards.push_back(ReadResultsFile(path));
    knowledge = LoadKnowledge(options.knowledge, SourceRoot());
  } catch (const std::runtime_error& e) {  // ResultsFormatError, KnowledgeError
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  Results merged;
  try {
    merged = MergeResults(shards, options.command_line);
  } catch (const MergeError& e) {
    std::cerr << "dspy-compat: cannot merge: " << e.what() << "\n";
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(options.out, ec);
  try {
    if (ec) throw std::filesystem::filesystem_error("cannot create", options.out, ec);
    merged.environment.knowledge = knowledge.files();
    WriteResultsFile(options.out / "results.json", merged);
    WriteReportFiles(options.out, merged, knowledge);
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "dspy-compat: cannot write into " << options.out.string() << ": "
              << e.code().message() << "\n";
    return kExitUsage;
  }
  std::string shard_list;
  for (const ShardInfo& s : merged.environment.merged_shards) {
    shard_list += fmt::format("{}{}/{}", shard_list.empty() ? "" : ", ", s.index, s.count);
  }
  std::cerr << fmt::format("dspy-compat: merged {} runs from {} file{}{}; results {}\n",
                           merged.runs.size(), shards.size(), shards.size() == 1 ? "" : "s",
                           shard_list.empty() ? "" : " (shards " + shard_list + ")",
                           (options.out / "results.json").string());
  return kExitOk;
}

}  // namespace dspy_compat
