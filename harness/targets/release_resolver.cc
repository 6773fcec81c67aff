#include "targets/release_resolver.h"

#include <fmt/format.h>

#include "core/sha256.h"
#include "targets/lock_file.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace fs = std::filesystem;

std::vector<Release> SelectReleases(const std::vector<Release>& releases, const ReleaseSpec& spec,
                                    bool include_pre, const std::string& index_url) {
  const bool exact = spec.versions.IsExact();
  const bool pre = include_pre || exact || spec.versions.MentionsPreRelease();
  std::vector<Release> selected;
  for (const Release& r : releases) {
    if (!spec.versions.Contains(r.version)) continue;
    if (r.version.IsPreRelease() && !pre) continue;
    if (r.yanked && !exact) continue;  // PEP 592: only an exact pin may select a yanked release
    selected.push_back(r);
  }
  if (selected.empty()) {
    throw ReleaseError(
        fmt::format("{}: {} has no release {}{}", spec.text, index_url, exact ? "" : "in range ",
                    exact ? spec.project + spec.versions.ToString()
                          : spec.versions.ToString() + (pre ? ""
                                                            : " (final releases; --pre adds "
                                                              "pre-releases)")));
  }
  return selected;
}

ReleaseTargets::ReleaseTargets(PackageIndex& index, LockCompiler& compiler, fs::path lock_cache,
                               bool include_pre, Log log)
    : index_(index),
      compiler_(compiler),
      lock_cache_(std::move(lock_cache)),
      include_pre_(include_pre),
      log_(std::move(log)) {}

fs::path ReleaseTargets::LockDir() const {
  // Different indexes may serve different files: one lock folder per index.
  return lock_cache_ / Sha256Hex(index_.Url()).substr(0, 12);
}

std::vector<std::string> ReleaseTargets::Versions(const std::string& spec_text) {
  ReleaseSpec spec = ParseReleaseSpec(spec_text);
  std::vector<Release> releases;
  try {
    releases = ReleasesOf(index_.Project(spec.project));
  } catch (const IndexError& e) {
    throw ReleaseError(fmt::format("{}: {}", spec_text, e.what()));
  }
  std::vector<std::string> versions;
  for (const Release& r : SelectReleases(releases, spec, include_pre_, index_.Url())) {
    versions.push_back(r.version_text);
  }
  return versions;
}

std::vector<Target> ReleaseTargets::Expand(const std::string& spec_text) {
  ReleaseSpec spec = ParseReleaseSpec(spec_text);
  if (spec.project != "dspy") {
    throw VersionError(
        fmt::format("'{}': only DSPy releases are targets (dspy==VERSION)", spec_text));
  }
  auto cached = [&](const std::string& version) -> std::optional<Target> {
    fs::path dir = LockDir() / fmt::format("{}-{}", spec.project, version);
    if (!fs::exists(dir / "target.toml")) return std::nullopt;
    try {
      return LoadTargetDefinition(dir);
    } catch (const TargetError&) {
      return std::nullopt;  // a damaged cache entry: lock again
    }
  };
  // An exact pin locked before needs no registry request at all.
  if (spec.versions.IsExact()) {
    if (auto target = cached(spec.versions.specifiers[0].version.ToString())) {
      if (log_) log_(fmt::format("{}: lock cached in {}", spec_text, LockDir().string()));
      return {*target};
    }
  }
  std::vector<Release> releases;
  try {
    releases = ReleasesOf(index_.Project(spec.project));
  } catch (const IndexError& e) {
    throw ReleaseError(fmt::format("{}: {}", spec_text, e.what()));
  }
  std::vector<Target> targets;
  TargetLocker locker(index_, compiler_);
  for (const Release& release : SelectReleases(releases, spec, include_pre_, index_.Url())) {
    if (auto target = cached(release.version_text)) {
      targets.push_back(*target);
      continue;
    }
    if (log_) {
      log_(fmt::format("{}-{}: locking (uploaded {}, Requires-Python \"{}\")", spec.project,
                       release.version_text, release.upload_time, release.requires_python));
    }
    targets.push_back(locker.Lock(spec.project, release, LockDir(), log_).target);
  }
  return targets;
}

}  // namespace dspy_compat
