// End-to-end tests of the verdicts a default run must not get wrong, on the
// real pinned releases: a program that passes on both but whose requests go
// to another model on 2.5.40 is a behaviour change that fails the gate; a
// program that cannot start (an import no target has) is unresolved, never a
// pass, and the gate is inconclusive (exit 3). One repetition each: both
// outcomes are deterministic.
#include <gtest/gtest.h>

#include "e2e_fixture.h"
#include "results/aggregate.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::kRoot;

class VerdictsE2eTest : public e2e::E2eTest {
 protected:
  e2e::Invocation RunGated(const std::string& scenario) {
    return Run({"run", "--repeat", "1", "--seed", "5", "--out", out_.string(), "--gate",
                "--scenarios", (kRoot / "harness/e2e/testdata/verdicts" / scenario).string()});
  }
};

TEST_F(VerdictsE2eTest, RequestsServedByAnotherModelAreABehaviourChangeThatFailsTheGate) {
  auto run = RunGated("two_models_context_thread_loop.py");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("BEHAVIOUR-CHANGE two_models_context_thread_loop on dspy-2.5.40"),
            std::string::npos)
      << run.output;

  Results results = ReadResultsFile(out_ / "results.json");
  for (const RunResult& r : results.runs) EXPECT_EQ(r.status, Status::kPass) << r.error_message;
  Aggregate aggregate = AggregateResults(results);
  ASSERT_EQ(aggregate.scenarios.size(), 1u);
  const Verdict& verdict = aggregate.scenarios[0].verdicts.at(0);
  EXPECT_EQ(verdict.kind, VerdictKind::kBehaviourChange);
  ASSERT_FALSE(verdict.changes.empty());
  // Which requests, not only which models: each question matched across releases.
  EXPECT_EQ(verdict.changes[0].aspect, "model per request");
  EXPECT_NE(verdict.changes[0].detail.find("3 requests that dspy-2.5.39 sends to `strong-model` "
                                           "are served by `weak-model`"),
            std::string::npos)
      << verdict.changes[0].detail;

  std::string report = e2e::ReadText(out_ / "report.md");
  EXPECT_NE(report.find("> **Unsafe to upgrade as written.** `two_models_context_thread_loop` "
                        "passes everywhere but behaves differently: on dspy-2.5.40, 3 requests"),
            std::string::npos)
      << report.substr(0, 1500);
  EXPECT_NE(report.find("| **behaviour-change** |"), std::string::npos);
  EXPECT_NE(e2e::ReadText(out_ / "junit.xml").find("type=\"behaviour change\""), std::string::npos);
}

TEST_F(VerdictsE2eTest, AProgramThatCannotStartIsUnresolvedAndTheGateIsInconclusive) {
  auto run = RunGated("imports_missing_module.py");
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("UNRESOLVED       imports_missing_module on dspy-2.5.39"),
            std::string::npos)
      << run.output;

  Results results = ReadResultsFile(out_ / "results.json");
  ASSERT_EQ(results.runs.size(), 2u);
  for (const RunResult& r : results.runs) {
    EXPECT_EQ(r.status, Status::kUnresolved) << r.error_type << ": " << r.error_message;
    EXPECT_EQ(r.error_type, "ModuleNotFoundError");
  }
  std::string report = e2e::ReadText(out_ / "report.md");
  EXPECT_NE(report.find("> **Inconclusive.** `imports_missing_module` could not start on "
                        "dspy-2.5.39 and dspy-2.5.40"),
            std::string::npos)
      << report.substr(0, 1500);
  EXPECT_NE(report.find("install `myapp_that_does_not_exist` in every target environment"),
            std::string::npos);
  EXPECT_EQ(report.find("Safe to upgrade"), std::string::npos);
}

}  // namespace
}  // namespace dspy_compat
