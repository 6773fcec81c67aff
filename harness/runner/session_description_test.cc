#include "runner/session_description.h"

#include <gtest/gtest.h>

#include "runner/run_environment.h"

namespace dspy_compat {
namespace {

Target Pinned(const std::string& name, const std::string& version) {
  Target t;
  t.name = name;
  t.dspy_version = version;
  return t;
}

SessionDescription Described() {
  return {.seed = 42,
          .command_line = "dspy-compat run --seed 42",
          .started_at = "2026-01-02T03:04:05Z",
          .jobs = 3,
          .repeat = 4,
          .adaptive = std::nullopt,
          .environment = {.passed = {"HF_TOKEN"}, .scrubbed = {"OPENAI_API_KEY"}},
          .knowledge = {{"fixtures/knowledge/dspy.toml", "abc"}}};
}

TEST(DescribeSessionTest, RecordsHowTheSessionRanWithTheHarnessVersionAndCachePolicy) {
  RunEnvironment env;
  DescribeSession(Described(), env);
  EXPECT_EQ(env.harness_version, DSPY_COMPAT_VERSION);
  EXPECT_EQ(env.cache_policy, kCachePolicy);
  EXPECT_EQ(env.seed, 42u);
  EXPECT_EQ(env.command_line, "dspy-compat run --seed 42");
  EXPECT_EQ(env.started_at, "2026-01-02T03:04:05Z");
  EXPECT_EQ(env.jobs, 3);
  EXPECT_EQ(env.repeat, 4);
  EXPECT_EQ(env.min_repeat, 0);
  EXPECT_EQ(env.max_repeat, 0);
  EXPECT_EQ(env.passed_env, std::vector<std::string>{"HF_TOKEN"});
  EXPECT_EQ(env.scrubbed_env, std::vector<std::string>{"OPENAI_API_KEY"});
  ASSERT_EQ(env.knowledge.size(), 1u);
  EXPECT_EQ(env.knowledge[0].sha256, "abc");
}

TEST(DescribeSessionTest, AdaptiveRepetitionsRecordTheirBoundsAndNoFixedCount) {
  SessionDescription session = Described();
  session.adaptive = AdaptiveRepeat{.min_runs = 5, .max_runs = 20};
  RunEnvironment env;
  DescribeSession(session, env);
  EXPECT_EQ(env.repeat, 0);
  EXPECT_EQ(env.min_repeat, 5);
  EXPECT_EQ(env.max_repeat, 20);
}

TEST(DescribeTargetsTest, ATargetGivenAProjectEnvironmentRecordsItTheOthersNone) {
  ProjectEnvironmentInfo project;
  project.root = "/team";
  project.input_hash = "ff";
  RunEnvironment env;
  DescribeTargets({Pinned("dspy-2.5.40", "2.5.40"), Pinned("dspy-2.6.0", "2.6.0")},
                  {{"dspy-2.6.0", project}}, env);
  ASSERT_EQ(env.targets.size(), 2u);
  EXPECT_EQ(env.targets[0].name, "dspy-2.5.40");
  EXPECT_EQ(env.targets[0].dspy_version, "2.5.40");
  EXPECT_FALSE(env.targets[0].project.has_value());
  EXPECT_EQ(env.targets[1].project, project);
}

TEST(DescribeScenariosTest, RecordsEachScenarioInOrderWithItsSummaryAndWhatReportsShow) {
  Scenario b, a;
  b.id = "b";
  b.summary = "second pattern";
  b.path = "/src/scenarios/b.py";
  b.requirements = {"dspy>=2.6"};
  a.id = "a";
  a.path = "/elsewhere/a.py";
  RunEnvironment env;
  DescribeScenarios({b, a}, {Pinned("dspy-2.5.40", "2.5.40")}, "/src", env);
  EXPECT_EQ(env.scenarios, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(env.scenario_summaries.at("b"), "second pattern");
  EXPECT_EQ(env.scenario_info.at("b").path, "scenarios/b.py");
  EXPECT_EQ(env.scenario_info.at("b").unsupported, std::vector<std::string>{"dspy-2.5.40"});
  EXPECT_EQ(env.scenario_info.at("a").path, "/elsewhere/a.py");
}

}  // namespace
}  // namespace dspy_compat
