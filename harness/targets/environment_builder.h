// Where provisioning meets the outside world: creating a virtual environment
// from a lock file (network, uv or pip) and asking an interpreter which DSPy
// it imports. An interface so that the cache's locking and atomicity are
// tested without either.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <utility>

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

class EnvironmentBuilder {
 public:
  virtual ~EnvironmentBuilder() = default;
  // Creates a venv in dir (which does not exist yet) holding exactly the
  // target's lock. Throws ProvisionError naming the package when it can.
  virtual void Build(const Target& target, const std::filesystem::path& dir) = 0;
  // Imports dspy in the interpreter and reports what it found.
  virtual InterpreterProbe Probe(const std::filesystem::path& interpreter) = 0;
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

 private:
  std::filesystem::path scratch_root_;
};

// Turns an installer's output into one line that names the target, the
// package that failed (when the output shows it) and what to do.
std::string DescribeInstallFailure(const Target& target, const LockFile& lock,
                                   const std::string& installer_output);

}  // namespace dspy_compat
