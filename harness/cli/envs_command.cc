#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/source_root.h"
#include "targets/environment_cache.h"
#include "targets/target_definition.h"

namespace dspy_compat {

int EnvsSyncCommand(const EnvsOptions& options) {
  auto targets_root = SourceRoot() / "fixtures" / "targets";
  std::vector<std::string> names = options.targets;
  if (names.empty()) names = ListTargetNames(targets_root);
  std::vector<Target> targets;
  try {
    targets = ResolveTargets(names, targets_root);
  } catch (const TargetError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  }
  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  int failures = 0;
  for (const auto& target : targets) {
    try {
      auto ready = cache.Sync(target, [](std::string_view line) { std::cerr << line << "\n"; });
      std::cout << fmt::format("{:<16} dspy {:<8} {}\n", ready.name, ready.dspy_version,
                               ready.interpreter.string());
    } catch (const ProvisionError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      ++failures;
    }
  }
  return failures == 0 ? kExitOk : kExitInfrastructure;
}

int EnvsListCommand(const EnvsOptions& options) {
  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  auto envs = cache.List();
  if (envs.empty()) {
    std::cout << "no environments in " << (cache.root() / "envs").string()
              << " (dspy-compat envs sync provisions them)\n";
    return kExitOk;
  }
  std::cout << fmt::format("{:<16} {:<8} {:<8} {:<14} {:<22} {}\n", "TARGET", "DSPY", "PYTHON",
                           "LOCK", "CREATED", "PATH");
  for (const auto& e : envs) {
    std::cout << fmt::format("{:<16} {:<8} {:<8} {:<14} {:<22} {}\n", e.target, e.dspy_version,
                             e.python_version, e.lock_hash.substr(0, 12), e.created_at,
                             e.dir.string());
  }
  return kExitOk;
}

}  // namespace dspy_compat
