// From a version spec to targets: "dspy==2.6.0" is one release,
// "dspy>=2.5.38,<2.6" every final release in range (pre-releases with
// --pre), oldest first. Each is locked once (target_locker.h) into a lock
// cache keyed by the index, so that the next session reuses the lock without
// asking the registry; the environment is then cached by the lock's hash like
// a shipped target's.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "targets/package_index.h"
#include "targets/target_locker.h"
#include "targets/version_spec.h"

namespace dspy_compat {

// The releases a spec selects, oldest first. An exact "==V" selects V even
// when it is a pre-release; a range skips yanked releases, and pre-releases
// unless include_pre (or the range itself names one). Throws ReleaseError
// when nothing matches, naming the project and the spec.
std::vector<Release> SelectReleases(const std::vector<Release>& releases, const ReleaseSpec& spec,
                                    bool include_pre, const std::string& index_url);

class ReleaseTargets {
 public:
  using Log = std::function<void(std::string_view)>;
  // lock_cache: where locks made on the fly live (e.g. <env cache>/locks).
  ReleaseTargets(PackageIndex& index, LockCompiler& compiler, std::filesystem::path lock_cache,
                 bool include_pre, Log log = {});

  // The targets of one spec (ParseReleaseSpec), locked. Throws VersionError
  // for a malformed spec, ReleaseError for one that cannot be resolved.
  std::vector<Target> Expand(const std::string& spec_text);

  // The versions a spec selects, oldest first, as the index spells them,
  // without locking any: bisect locks only the releases it probes.
  std::vector<std::string> Versions(const std::string& spec_text);

  // The folder the locks for this index go to.
  std::filesystem::path LockDir() const;

 private:
  PackageIndex& index_;
  LockCompiler& compiler_;
  std::filesystem::path lock_cache_;
  bool include_pre_;
  Log log_;
};

}  // namespace dspy_compat
