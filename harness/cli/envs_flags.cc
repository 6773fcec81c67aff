// dspy-compat envs sync|list's flags (the commands: envs_command.cc).
#include "cli/flags.h"

namespace dspy_compat {

CLI::App* AddEnvsFlags(CLI::App& app, EnvsOptions& envs) {
  auto* cmd = app.add_subcommand("envs", "Provision and list target environments");
  cmd->require_subcommand(1);
  auto* sync = cmd->add_subcommand(
      "sync", "Install targets into the cache (atomically, verified); default: all defined");
  sync->add_option("targets", envs.targets, "Target names");
  auto* list = cmd->add_subcommand("list", "Show provisioned environments");
  for (auto* sub : {sync, list}) {
    sub->add_option("--cache-dir", envs.cache_dir,
                    "Environment cache (default: $DSPY_COMPAT_CACHE)");
  }
  return cmd;
}

}  // namespace dspy_compat
