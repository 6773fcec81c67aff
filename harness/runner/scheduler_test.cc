#include "runner/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace dspy_compat {
namespace {

TEST(SchedulerTest, RunsEverythingWithinJobsInPlanOrder) {
  std::vector<RunSpec> plan(20);
  for (int i = 0; i < 20; ++i) plan[static_cast<std::size_t>(i)].repetition = i;
  std::atomic<int> running{0}, peak{0};
  Scheduler scheduler(3, [&](const RunSpec& spec, const std::atomic<bool>*) {
    int now = ++running;
    int old = peak.load();
    while (now > old && !peak.compare_exchange_weak(old, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5 + (spec.repetition % 3) * 5));
    --running;
    RunResult r;
    r.repetition = spec.repetition;
    r.status = Status::kPass;
    return std::optional<RunResult>(r);
  });
  std::atomic<bool> cancel{false};
  auto results = scheduler.Run(plan, cancel);
  ASSERT_EQ(results.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(results[static_cast<std::size_t>(i)].repetition, i);
  EXPECT_LE(peak.load(), 3);
  EXPECT_GE(peak.load(), 2);
}

TEST(SchedulerTest, CancelKeepsWhatFinished) {
  std::vector<RunSpec> plan(50);
  std::atomic<bool> cancel{false};
  std::atomic<int> calls{0};
  Scheduler scheduler(2,
                      [&](const RunSpec&, const std::atomic<bool>* c) -> std::optional<RunResult> {
                        if (++calls == 5) cancel = true;
                        if (c->load()) return std::nullopt;
                        return RunResult{};
                      });
  auto results = scheduler.Run(plan, cancel);
  EXPECT_GE(results.size(), 3u);
  EXPECT_LT(results.size(), 10u);
}

}  // namespace
}  // namespace dspy_compat
