// Runs a plan on N worker threads, each run a child process of its own.
// Stops handing out runs once cancel is raised; runs already going are
// cancelled by the executor, and what finished is returned.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <vector>

#include "core/model.h"
#include "runner/run_plan.h"

namespace dspy_compat {

class Scheduler {
 public:
  using Execute =
      std::function<std::optional<RunResult>(const RunSpec&, const std::atomic<bool>* cancel)>;
  // Called one at a time (serialised), from worker threads.
  struct Events {
    std::function<void(const RunSpec&)> started;
    std::function<void(const RunSpec&, const RunResult&)> finished;
  };

  Scheduler(int jobs, Execute execute, Events events = {});

  // Results of the runs that finished, in plan order.
  std::vector<RunResult> Run(const std::vector<RunSpec>& plan, const std::atomic<bool>& cancel);

 private:
  int jobs_;
  Execute execute_;
  Events events_;
};

}  // namespace dspy_compat
