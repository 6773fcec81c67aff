// Provisioned target environments, one folder per (target, lock hash) under a
// cache root. A folder is built beside its final name and renamed into place
// only once it is verified, so a broken install never looks finished; an
// flock per key makes two harness processes racing for it build it once. Each
// use checks the environment against the file list recorded when it was
// built, so a file deleted from the cache is named and provisioned again.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "targets/environment_builder.h"

namespace dspy_compat {

struct CachedEnvironment {
  std::string target;
  std::string dspy_version;
  std::string python_version;
  std::string lock_hash;
  std::string created_at;
  std::filesystem::path dir;
};

class EnvironmentCache {
 public:
  using Log = std::function<void(std::string_view)>;

  EnvironmentCache(std::filesystem::path root, EnvironmentBuilder& builder);

  // $DSPY_COMPAT_CACHE, else $XDG_CACHE_HOME/dspy-compat, else ~/.cache/dspy-compat.
  static std::filesystem::path DefaultRoot();

  // Returns the target ready to use (interpreter set, versions filled in),
  // building its environment first if needed. Throws ProvisionError.
  Target Sync(const Target& target, const Log& log = {});

  // A project environment (targets/project_env.h): built by `builder` (the
  // target's lock, then the project) in projects/<target>-<hash> and keyed by
  // input_hash (what it was built from) besides the lock's hash; otherwise as
  // Sync: atomic, flock'd, verified against its file list on each use.
  Target SyncProject(const Target& target, const std::string& input_hash,
                     EnvironmentBuilder& builder, const Log& log = {});
  std::filesystem::path ProjectDirFor(const Target& target, const std::string& input_hash) const;

  // The environments present in the cache, finished ones only.
  std::vector<CachedEnvironment> List() const;

  std::filesystem::path DirFor(const Target& target) const;
  const std::filesystem::path& root() const { return root_; }

 private:
  Target SyncUserPython(const Target& target);
  // Sync's work for the folder dir; input_hash: "" for a target's own environment.
  Target SyncInto(const Target& target, const std::filesystem::path& dir,
                  const std::string& input_hash, EnvironmentBuilder& builder, const Log& log);
  bool IsFinished(const std::filesystem::path& dir, const Target& target,
                  const std::string& input_hash = {}) const;
  // What is wrong with a finished environment (a file missing or of another
  // size than when it was provisioned), or nothing. One without a file list
  // (provisioned by an older harness) is probed once and given one.
  std::optional<std::string> Damage(const std::filesystem::path& dir, EnvironmentBuilder& builder);

  std::filesystem::path root_;
  EnvironmentBuilder& builder_;
};

}  // namespace dspy_compat
