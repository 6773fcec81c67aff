// A project's settings in its pyproject.toml, as Python tools keep theirs:
//
//   [tool.dspy-compat]
//   targets = ["dspy-2.5.39", "dspy-2.5.40"]
//   scenarios = ["tests/dspy_scenarios"]
//   repeat = 10                      # or "adaptive", "5..50"
//   project = "."                    # run --project: this project in every target
//
// Found as ruff finds [tool.ruff]: the nearest pyproject.toml, from the
// current folder upward to the filesystem root, that has the table (one
// without it is passed over). Keys are the `run` flags' names; paths are
// relative to the pyproject's folder. An unknown key or a value of the wrong
// type is an error naming the key and the file. The command line overrides
// what is read here (cli/project_options.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace dspy_compat {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ProjectConfig {
  std::filesystem::path file;  // the pyproject.toml read
  std::optional<std::vector<std::string>> targets;
  // Absolute paths; a bare name that is no file or folder beside the
  // pyproject stays as written (a bundled scenario's id).
  std::optional<std::vector<std::filesystem::path>> scenarios;
  std::optional<std::string> repeat;    // "N", "adaptive" or "MIN..MAX"
  std::optional<std::string> schedule;  // natural, pct, random or explore
  std::optional<int> explore_quiet_ms;
  std::optional<int> jobs;
  std::optional<int> timeout;
  std::optional<std::string> lm_delay_ms;  // "MS" or "MIN-MAX"
  std::optional<std::uint64_t> seed;
  std::optional<std::filesystem::path> out;
  std::optional<bool> cold;
  std::optional<bool> keep_work;
  std::optional<bool> no_changed_code;  // no traced reruns of regressions (runner/changed_code.h)
  std::optional<std::vector<std::string>> pass_env;
  std::optional<std::vector<std::string>> scrub;
  std::optional<bool> gate;
  std::optional<std::filesystem::path> baseline;
  std::optional<std::vector<std::filesystem::path>> knowledge;  // knowledge-base TOML files
  // `project = "."`: run --project with this folder (relative to the pyproject's).
  std::optional<std::filesystem::path> project;
};

// The nearest pyproject.toml with a [tool.dspy-compat] table, from `start`
// upward; nullopt if there is none. A pyproject.toml on the way that is not
// valid TOML is an error (as for ruff: a broken file is not silently passed).
std::optional<std::filesystem::path> FindProjectConfig(const std::filesystem::path& start);

// Reads [tool.dspy-compat] from `pyproject` (a missing table gives an empty
// config). Throws ConfigError with one line naming the file and the key.
ProjectConfig ReadProjectConfig(const std::filesystem::path& pyproject);

}  // namespace dspy_compat
