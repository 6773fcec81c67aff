#include <fmt/format.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/source_root.h"
#include "targets/environment_cache.h"
#include "targets/lock_file.h"
#include "targets/release_resolver.h"
#include "targets/target_definition.h"

namespace dspy_compat {

namespace {

void LogLine(std::string_view line) { std::cerr << line << "\n"; }

}  // namespace

int EnvsSyncCommand(const EnvsOptions& options) {
  auto targets_root = SourceRoot() / "fixtures" / "targets";
  std::vector<std::string> names = SplitTargetList(options.targets);
  if (names.empty()) names = ListTargetNames(targets_root);
  const auto cache_root = options.cache_dir.value_or(EnvironmentCache::DefaultRoot());
  HttpPackageIndex index(ChooseIndexUrl(options.releases.index_url));
  UvLockCompiler compiler;
  ReleaseTargets releases(index, compiler, cache_root / "locks", options.releases.pre, LogLine);
  std::vector<Target> targets;
  try {
    targets = ResolveTargets(names, targets_root, &releases);
  } catch (const TargetError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  } catch (const ReleaseError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  PythonEnvironmentBuilder builder(cache_root / "scratch");
  EnvironmentCache cache(cache_root, builder);
  int failures = 0;
  for (const auto& target : targets) {
    try {
      auto ready = cache.Sync(target, [](std::string_view line) { std::cerr << line << "\n"; });
      std::cout << fmt::format("{:<16} dspy {:<8} {}\n", ready.name, ready.dspy_version,
                               ready.interpreter.string());
      for (const Substitution& s : ready.substitutions) {
        std::cout << fmt::format("{:<16} substitution: {}=={} instead of {}=={}\n", "", s.package,
                                 s.used, s.package, s.requested);
      }
    } catch (const ProvisionError& e) {
      std::cerr << "dspy-compat: " << e.what() << "\n";
      ++failures;
    }
  }
  return failures == 0 ? kExitOk : kExitInfrastructure;
}

int EnvsLockCommand(const EnvsOptions& options) {
  const auto into = options.into.value_or(SourceRoot() / "fixtures" / "targets");
  HttpPackageIndex index(ChooseIndexUrl(options.releases.index_url));
  UvLockCompiler compiler;
  TargetLocker locker(index, compiler);
  try {
    for (const std::string& text : SplitTargetList(options.targets)) {
      ReleaseSpec spec;
      try {
        spec = ParseReleaseSpec(text);
      } catch (const VersionError& e) {
        std::cerr << "dspy-compat: " << e.what() << "\n";
        return kExitUsage;
      }
      if (spec.project != "dspy") {
        std::cerr << "dspy-compat: '" << text << "': only DSPy releases are targets\n";
        return kExitUsage;
      }
      std::vector<Release> releases;
      try {
        releases = ReleasesOf(index.Project(spec.project));
      } catch (const IndexError& e) {
        throw ReleaseError(fmt::format("{}: {}", text, e.what()));
      }
      for (const Release& release :
           SelectReleases(releases, spec, options.releases.pre, index.Url())) {
        LockedRelease locked = locker.Lock(spec.project, release, into, LogLine);
        LockFile lock = ReadLockFile(locked.target.lock_file);
        std::cout << fmt::format("wrote {} (dspy {}, Python {}, {} packages, lock {})\n",
                                 locked.dir.string(), locked.target.dspy_version,
                                 locked.target.python_version, lock.packages.size(),
                                 lock.sha256.substr(0, 12));
        for (const Substitution& s : locked.substitutions) {
          std::cout << fmt::format("  substitution: {}=={} instead of {}=={}: {}\n", s.package,
                                   s.used, s.package, s.requested, s.reason);
        }
      }
    }
  } catch (const ReleaseError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitInfrastructure;
  }
  return kExitOk;
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
