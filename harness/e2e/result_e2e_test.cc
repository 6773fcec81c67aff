// End-to-end tests of the run's result: what a scenario does in the runner's
// process by accident cannot change what its result says (issue 16). Against
// the real DSPy 2.5.39, warm and cold.
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::kRoot;

std::string Describe(const RunResult& r) {
  return r.run_id + " " + std::string(StatusName(r.status)) + " [" + r.start_mode + "] " +
         r.error_type + ": " + r.error_message + "\n" + r.output_tail;
}

class ResultE2eTest : public e2e::E2eTest {};

// The false pass: the scenario raises AssertionError after patching
// json.dumps to make whatever it serialises say "pass". Before, the runner
// wrote its result with that json.dumps and the run passed.
TEST_F(ResultE2eTest, FailingScenarioThatPatchedJsonDumpsIsNotAPass) {
  const fs::path scenario = kRoot / "harness/e2e/testdata/patches_json_dumps.py";
  for (const std::string mode : {"warm", "cold"}) {
    SCOPED_TRACE(mode);
    fs::path out = out_ / mode;
    std::vector<std::string> args = {"run",        "--repeat",    "1",
                                     "--targets",  "dspy-2.5.39", "--out",
                                     out.string(), "--scenarios", scenario.string()};
    if (mode == "cold") args.push_back("--cold");
    auto inv = Run(args);
    auto results = ReadResultsFile(out / "results.json");
    ASSERT_EQ(results.runs.size(), 1u) << inv.output;
    const RunResult& r = results.runs[0];
    EXPECT_EQ(r.start_mode, mode) << Describe(r);
    EXPECT_EQ(r.status, Status::kFail) << Describe(r);
    EXPECT_EQ(r.error_type, "AssertionError") << Describe(r);
    EXPECT_NE(r.error_message.find("the scenario's own check fails"), std::string::npos)
        << Describe(r);
    // Its LM call was counted and journaled alike: nothing contradicts it.
    EXPECT_EQ(r.lm_calls, 1) << Describe(r);
    EXPECT_EQ(r.lm_requests, 1) << Describe(r);
  }
}

}  // namespace
}  // namespace dspy_compat
