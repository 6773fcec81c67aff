// dspy-compat merge's flags (the command: merge_command.cc).
#include "cli/flags.h"

namespace dspy_compat {

CLI::App* AddMergeFlags(CLI::App& app, MergeOptions& merge) {
  auto* cmd = app.add_subcommand(
      "merge", "Combine shard results (run --shard I/N) into one results.json and its reports");
  cmd->add_option("results", merge.inputs, "The shards' results.json files")->required();
  cmd->add_option("-o,--out", merge.out, "Output folder")->capture_default_str();
  AddKnowledgeFlag(*cmd, merge.knowledge);
  return cmd;
}

}  // namespace dspy_compat
