// dspy-compat envs sync|list's flags (the commands: envs_command.cc).
#include "cli/flags.h"

namespace dspy_compat {

CLI::App* AddEnvsFlags(CLI::App& app, EnvsOptions& envs) {
  auto* cmd = app.add_subcommand("envs", "Provision and list target environments");
  cmd->require_subcommand(1);
  auto* sync = cmd->add_subcommand(
      "sync", "Install targets into the cache (atomically, verified); default: all defined");
  sync->add_option("targets", envs.targets,
                   "Target names, or DSPy releases by version (dspy==2.6.0, "
                   "'dspy>=2.5.38,<2.6')");
  auto* list = cmd->add_subcommand("list", "Show provisioned environments");
  auto* lock =
      cmd->add_subcommand("lock",
                          "Lock DSPy releases as of their release day and write each target folder "
                          "(target.toml, requirements.in, requirements.lock) to commit");
  lock->add_option("releases", envs.targets,
                   "DSPy releases by version: dspy==2.6.0, or a range 'dspy>=2.5.38,<2.6'")
      ->required();
  lock->add_option("--into", envs.into,
                   "Write DIR/dspy-<version>/ (default: the bundled fixtures/targets)");
  for (auto* sub : {sync, list, lock}) {
    sub->add_option("--cache-dir", envs.cache_dir,
                    "Environment cache (default: $DSPY_COMPAT_CACHE)");
  }
  for (auto* sub : {sync, lock}) {
    sub->add_flag("--pre", envs.releases.pre, "Version ranges include pre-releases");
    sub->add_option("--index-url", envs.releases.index_url,
                    "Package index (PEP 691 JSON) (default: UV_INDEX_URL, PIP_INDEX_URL, else "
                    "https://pypi.org/simple/)");
  }
  return cmd;
}

}  // namespace dspy_compat
