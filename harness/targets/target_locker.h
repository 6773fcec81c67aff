// Locking a DSPy release as a user would have installed it on its release
// day: `uv pip compile --generate-hashes --exclude-newer <next midnight
// after the wheel's upload>` for the Python its Requires-Python prefers, and
// when the registry no longer serves a version that resolution needs, the
// nearest later one it serves, recorded as a substitution (never silent).
// The result is a target folder like fixtures/targets/dspy-2.5.40/.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "targets/package_index.h"

namespace dspy_compat {

// A release that does not exist or cannot be resolved: exit 3, never a
// usage error, never a verdict.
class ReleaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What `uv pip compile` is asked for; cwd is dir, which holds requirements.in.
struct CompileRequest {
  std::filesystem::path dir;
  std::string python_version;
  std::string exclude_newer;                       // "2025-01-31T00:00:00Z"
  std::vector<std::string> overrides;              // "litellm==1.53.1"
  std::vector<std::string> exclude_newer_package;  // "litellm=2024-11-29T00:00:00Z"
  std::string index_url;                           // empty: uv's default (PyPI)
};

// The arguments after `uv`, as written into the lock's header (the overrides
// file named as "<overrides from target.toml>").
std::vector<std::string> CompileArguments(const CompileRequest& request,
                                          const std::string& overrides_file);

struct CompileOutcome {
  bool ok = false;
  std::string lock_body;  // uv's lock, when ok
  std::string output;     // uv's messages
};

// The process seam: the real one runs uv; tests answer from a script.
class LockCompiler {
 public:
  virtual ~LockCompiler() = default;
  virtual CompileOutcome Compile(const CompileRequest& request) = 0;
  virtual std::string ToolVersion() = 0;  // "0.13.9"
};

class UvLockCompiler : public LockCompiler {
 public:
  CompileOutcome Compile(const CompileRequest& request) override;
  std::string ToolVersion() override;
};

// "2024-11-26T17:23:01Z" -> "2024-11-27T00:00:00Z": the end of the release
// day (UTC), so that what was published with it, that day, is in.
std::string NextMidnightUtc(const std::string& iso_time);

// uv's "there is no version of litellm==1.51.0": the package and the
// version it could not get; nullopt when the failure is another one.
struct MissingPin {
  std::string package;
  std::string version;
};
std::optional<MissingPin> FindMissingPin(const std::string& uv_output);

// The line of uv's output that says what went wrong (its "cause:" if any).
std::string UvErrorLine(const std::string& output);

struct LockedRelease {
  Target target;  // loaded from the written folder
  std::filesystem::path dir;
  std::vector<Substitution> substitutions;
};

class TargetLocker {
 public:
  using Log = std::function<void(std::string_view)>;
  TargetLocker(PackageIndex& index, LockCompiler& compiler) : index_(index), compiler_(compiler) {}

  // Writes parent/<project>-<version>/ (target.toml, requirements.in,
  // requirements.lock), replacing what was there only once the new lock is
  // complete. Throws ReleaseError naming the package and version that failed.
  LockedRelease Lock(const std::string& project, const Release& release,
                     const std::filesystem::path& parent, const Log& log = {});

 private:
  // The nearest later release the index serves, and the substitution record.
  std::pair<Substitution, Release> Substitute(const Release& release, const MissingPin& missing);

  PackageIndex& index_;
  LockCompiler& compiler_;
};

}  // namespace dspy_compat
