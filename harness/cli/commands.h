// The subcommands. main.cc declares their flags with CLI11 and calls these;
// each returns an exit code from exit_codes.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace dspy_compat {

inline constexpr const char* kDefaultTargets[] = {"dspy-2.5.39", "dspy-2.5.40"};

struct RunOptions {
  std::vector<std::string> targets;              // empty: the shipped pair
  std::vector<std::filesystem::path> scenarios;  // empty: the bundled catalogue
  std::optional<int> repeat;
  int jobs = 0;  // 0: the number of cores
  std::optional<int> timeout_seconds;
  std::optional<std::string> lm_delay;  // "MS" or "MIN-MAX", overrides scenario headers
  std::filesystem::path out = "dspy-compat-out";
  std::optional<std::uint64_t> seed;
  std::optional<std::filesystem::path> cache_dir;
  bool keep_work = false;
  std::string command_line;
};
int RunCommand(const RunOptions& options);

struct EnvsOptions {
  std::vector<std::string> targets;  // empty: every defined target (sync) / all cached (list)
  std::optional<std::filesystem::path> cache_dir;
};
int EnvsSyncCommand(const EnvsOptions& options);
int EnvsListCommand(const EnvsOptions& options);

struct MockServerOptions {
  std::string bind = "127.0.0.1";
  int port = 8099;
  std::string delay = "0";
  std::uint64_t seed = 0;
  bool echo_model = false;
  int threads = 1;
};
int MockServerCommand(const MockServerOptions& options);

struct ReportOptions {
  std::filesystem::path results;
  std::string format = "md";
  std::optional<std::filesystem::path> output;  // default: stdout
};
int ReportCommand(const ReportOptions& options);

}  // namespace dspy_compat
