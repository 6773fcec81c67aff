#include "runner/scheduler.h"

#include <mutex>
#include <thread>

namespace dspy_compat {

Scheduler::Scheduler(int jobs, Execute execute, Events events)
    : jobs_(jobs < 1 ? 1 : jobs), execute_(std::move(execute)), events_(std::move(events)) {}

std::vector<RunResult> Scheduler::Run(const std::vector<RunSpec>& plan,
                                      const std::atomic<bool>& cancel) {
  std::vector<std::optional<RunResult>> slots(plan.size());
  std::atomic<std::size_t> next{0};
  std::mutex events_mutex;

  auto worker = [&] {
    for (;;) {
      if (cancel.load()) return;
      std::size_t i = next.fetch_add(1);
      if (i >= plan.size()) return;
      if (events_.started) {
        std::lock_guard lock(events_mutex);
        events_.started(plan[i]);
      }
      auto result = execute_(plan[i], &cancel);
      if (!result) continue;  // interrupted mid-run: no verdict
      std::lock_guard lock(events_mutex);
      if (events_.finished) events_.finished(plan[i], *result);
      slots[i] = std::move(result);
    }
  };

  std::vector<std::jthread> threads;
  auto count = std::min<std::size_t>(static_cast<std::size_t>(jobs_), plan.size());
  for (std::size_t t = 0; t < count; ++t) threads.emplace_back(worker);
  threads.clear();  // joins

  std::vector<RunResult> results;
  for (auto& slot : slots) {
    if (slot) results.push_back(std::move(*slot));
  }
  return results;
}

}  // namespace dspy_compat
