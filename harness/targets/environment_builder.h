// Where provisioning meets the outside world: creating a virtual environment
// from a lock file (network, uv or pip) and asking an interpreter which DSPy
// it imports. An interface so that the cache's locking and atomicity are
// tested without either.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/model.h"
#include "targets/lock_file.h"

namespace dspy_compat {

class ProvisionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct InterpreterProbe {
  std::string dspy_version;    // importlib.metadata.version("dspy")
  std::string python_version;  // "3.11.7"
  std::string dspy_file;       // where "import dspy" resolved
};

// What installing a team's project into a built environment asks of uv
// (targets/project_env.h composes it): the target's lock as constraints, its
// substitutions as overrides, so that the lock wins for DSPy and what DSPy
// pins.
struct ProjectInstall {
  std::filesystem::path source;          // a copy of the project: the installer's working folder
  std::vector<std::string> constraints;  // "name==version", one per locked package
  std::vector<std::string> overrides;    // "litellm==1.53.1": the target's substitutions
  // The installer's arguments for what to install: "-r", "<copy>/requirements.txt",
  // "<copy>[test]" (the project itself), "pytest".
  std::vector<std::string> requirements;
};

struct ProjectInstallOutcome {
  bool ok = false;
  std::string output;                  // the installer's output tail, for the error
  std::vector<std::string> installed;  // after: every "name==version" the environment holds
};

class EnvironmentBuilder {
 public:
  virtual ~EnvironmentBuilder() = default;
  // Creates a venv in dir (which does not exist yet) holding exactly the
  // target's lock. Throws ProvisionError naming the package when it can.
  virtual void Build(const Target& target, const std::filesystem::path& dir) = 0;
  // Imports dspy in the interpreter and reports what it found.
  virtual InterpreterProbe Probe(const std::filesystem::path& interpreter) = 0;
  // Installs a project into the environment in dir (made by Build). An
  // installer that fails (a requirement that cannot live with the lock) is
  // an outcome, not an exception: its output names the conflict. The
  // default cannot (a builder for targets only) and throws ProvisionError.
  virtual ProjectInstallOutcome InstallProject(const std::filesystem::path& dir,
                                               const ProjectInstall& install);
};

// The real builder: uv when it is on PATH (fast, shares a download cache),
// otherwise the interpreter's own venv and pip.
class PythonEnvironmentBuilder : public EnvironmentBuilder {
 public:
  // Probes keep their scratch HOME (importing dspy 2.5 creates a cache in it)
  // below scratch_root, e.g. the environment cache, so that the harness
  // writes nowhere but there and its output folder; empty: the system's
  // temporary folder.
  explicit PythonEnvironmentBuilder(std::filesystem::path scratch_root = {})
      : scratch_root_(std::move(scratch_root)) {}
  void Build(const Target& target, const std::filesystem::path& dir) override;
  InterpreterProbe Probe(const std::filesystem::path& interpreter) override;
  // uv only (pip has no overrides): `uv pip install -c -o` in the copy, then
  // `uv pip freeze`.
  ProjectInstallOutcome InstallProject(const std::filesystem::path& dir,
                                       const ProjectInstall& install) override;

 private:
  std::filesystem::path scratch_root_;
};

// Turns an installer's output into one line that names the target, the
// package that failed (when the output shows it) and what to do.
std::string DescribeInstallFailure(const Target& target, const LockFile& lock,
                                   const std::string& installer_output);

}  // namespace dspy_compat
