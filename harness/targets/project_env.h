// A team's project in every target (`run --project DIR`): each target's
// environment becomes the target's lock (installed by hash, as any target)
// plus the project's dependencies and the project itself, resolved with the
// lock as constraints and the target's substitutions as overrides, so that
// the lock wins for DSPy and what DSPy pins. The project is installed from a
// copy of its files (the user's tree is never written), and the environment
// is cached like a target's, keyed by the hash of its inputs. A requirement
// that cannot live with the target's DSPy is one line naming both.
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"
#include "targets/environment_builder.h"
#include "targets/environment_cache.h"
#include "targets/lock_file.h"

namespace dspy_compat {

// The folder is not a project (usage: exit 2).
class ProjectError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Project {
  std::filesystem::path root;  // absolute, real
  // What makes it a project, relative to root, sorted: pyproject.toml,
  // requirements*.txt, uv.lock.
  std::vector<std::string> dependency_files;
  // What it declares, as written: [project] dependencies, then its test
  // extras', then each requirements file's requirement lines.
  std::vector<std::string> requirements;
  std::vector<std::string> extras;  // "test" / "tests" when declared: installed with it
  // [project], [build-system] or setup.py: the project itself is installed
  // (a uv.lock is read only as an input: it pins the project's own DSPy,
  // which the target replaces).
  bool installable = false;
  // Every file copied for the install and hashed, relative to root, sorted:
  // the tree without dot-folders, bytecode, virtual environments, build
  // output, dspy-compat output folders and `exclude`.
  std::vector<std::string> files;
};

// Reads the project in dir. exclude: folders left out of its files (the
// session's --out, the environment cache) when they lie inside it. Throws
// ProjectError (one line) when dir is no folder or none of the files is in it.
Project ReadProject(const std::filesystem::path& dir,
                    const std::vector<std::filesystem::path>& exclude = {});

// The normalised name a requirement string starts with ("Python_Slugify>=8"
// -> "python-slugify"); "" for none.
std::string RequirementName(std::string_view requirement);

// Whether the project declares pytest; when it does not, the harness adds it.
bool DeclaresPytest(const Project& project);

// What uv is asked: the lock as constraints, the substitutions as
// overrides, the requirements files, the project (with its test extras)
// from `source` (its copy), and pytest unless declared.
ProjectInstall ComposeInstall(const Project& project, const Target& target, const LockFile& lock,
                              const std::filesystem::path& source);

// sha256 hex of what a project environment is built from: the target's
// name, lock hash, Python and substitutions, and every project file's path
// and bytes. The environment is rebuilt when any of them changes.
std::string ProjectInputHash(const Project& project, const Target& target);

// One line for an installer that could not resolve the project on the
// target: the project's requirement that uv's output names first (else its
// requirements as a whole) and the target's DSPy version, then uv's reason.
std::string DescribeProjectConflict(const Project& project, const Target& target,
                                    const std::string& installer_output);

// What the environment holds beyond the lock, from `uv pip freeze` lines:
// "name==version" (the project itself, installed from its copy, as
// "name==version" too when its version is known from the freeze, else
// "name (the project)"), sorted.
std::vector<std::string> InstalledBeyondLock(const std::vector<std::string>& freeze,
                                             const LockFile& lock);

// Project environments of one project, over the environment cache.
class ProjectEnvironments {
 public:
  using Log = EnvironmentCache::Log;
  struct Ready {
    Target target;  // interpreter: the project environment's
    ProjectEnvironmentInfo info;
  };

  // scratch: where copies of the project are made while one is built.
  ProjectEnvironments(Project project, EnvironmentCache& cache, EnvironmentBuilder& builder,
                      std::filesystem::path scratch);

  // The target's project environment, built if its inputs changed. A
  // python: target (the user's own interpreter) is never installed into: the
  // project root is still put on sys.path, and the record says so. Throws
  // ProvisionError (one line).
  Ready Sync(const Target& target, const Log& log = {});

  const Project& project() const { return project_; }

 private:
  Project project_;
  EnvironmentCache& cache_;
  EnvironmentBuilder& builder_;
  std::filesystem::path scratch_;
};

}  // namespace dspy_compat
