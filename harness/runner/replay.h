// run --replay RESULTS_JSON:RUN_ID: the explored run to repeat, found in an
// earlier results.json, with the scenario and target it ran (used unless
// the command line names others). The run's recorded release order
// (lm_schedule) is what the mock server plays back.
#pragma once

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/model.h"

namespace dspy_compat {

struct ReplayedRun {
  RunResult run;  // its lm_schedule set
  // Its scenario's file: a recorded relative path is under `root`; absent
  // when the file does not describe the scenario.
  std::optional<std::filesystem::path> scenario_path;
  std::string target_name;
};

// One line, the message after "dspy-compat: " (it starts with "--replay").
class ReplayError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws ReplayError when the file cannot be read as results or holds no
// explored run (one with an lm_schedule) of that id; a spec without a
// colon names no run.
ReplayedRun FindReplayedRun(const std::string& spec, const std::filesystem::path& root);

}  // namespace dspy_compat
