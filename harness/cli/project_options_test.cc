// The command line over [tool.dspy-compat]: a flag given wins, the config
// fills what the command line left unset.
#include "cli/project_options.h"

#include <gtest/gtest.h>

#include <set>

namespace dspy_compat {
namespace {

ProjectConfig Config() {
  ProjectConfig c;
  c.file = "/p/pyproject.toml";
  c.targets = std::vector<std::string>{"dspy-2.5.40"};
  c.scenarios = std::vector<std::filesystem::path>{"/p/scenarios"};
  c.repeat = "5";
  c.jobs = 3;
  c.out = "/p/out";
  c.gate = true;
  c.baseline = "/p/baseline.json";
  c.scrub = std::vector<std::string>{"X_*"};
  return c;
}

auto Given(std::set<std::string_view> flags) {
  return [flags](std::string_view flag) { return flags.contains(flag); };
}

TEST(ProjectOptionsTest, ConfigFillsWhatTheCommandLineLeftUnset) {
  RunOptions run;
  ApplyProjectConfig(Config(), Given({}), run);
  EXPECT_EQ(run.targets, std::vector<std::string>{"dspy-2.5.40"});
  EXPECT_EQ(run.scenarios, std::vector<std::filesystem::path>{"/p/scenarios"});
  EXPECT_EQ(run.repeat, 5);
  EXPECT_FALSE(run.adaptive_repeat);
  EXPECT_EQ(run.jobs, 3);
  EXPECT_EQ(run.out, "/p/out");
  EXPECT_TRUE(run.gate);
  EXPECT_EQ(run.gate_options.baseline, std::filesystem::path("/p/baseline.json"));
  EXPECT_EQ(run.scrub, std::vector<std::string>{"X_*"});
}

TEST(ProjectOptionsTest, FlagsOnTheCommandLineWin) {
  RunOptions run;
  run.targets = {"dspy-2.5.39"};
  run.repeat = 2;
  run.out = "mine";
  ApplyProjectConfig(Config(), Given({"--targets", "--repeat", "--out"}), run);
  EXPECT_EQ(run.targets, std::vector<std::string>{"dspy-2.5.39"});
  EXPECT_EQ(run.repeat, 2);
  EXPECT_EQ(run.out, "mine");
  EXPECT_EQ(run.jobs, 3);  // not given: from the config
}

TEST(ProjectOptionsTest, ScheduleAndKnowledgeReachTheRun) {
  ProjectConfig c = Config();
  c.schedule = "pct";
  c.explore_quiet_ms = 150;
  c.knowledge = std::vector<std::filesystem::path>{"/p/team.toml"};
  RunOptions run;
  ApplyProjectConfig(c, Given({}), run);
  EXPECT_EQ(run.schedule, "pct");
  EXPECT_EQ(run.explore_quiet_ms, 150);
  EXPECT_EQ(run.knowledge, std::vector<std::filesystem::path>{"/p/team.toml"});
  RunOptions flagged;
  flagged.schedule = "random";
  flagged.explore_quiet_ms = 40;
  ApplyProjectConfig(c, Given({"--schedule", "--explore-quiet-ms"}), flagged);
  EXPECT_EQ(flagged.schedule, "random");
  EXPECT_EQ(flagged.explore_quiet_ms, 40);
}

TEST(ProjectOptionsTest, ProjectFromTheConfigUnlessGiven) {
  ProjectConfig c = Config();
  c.project = "/p";
  RunOptions run;
  ApplyProjectConfig(c, Given({}), run);
  EXPECT_EQ(run.project, std::filesystem::path("/p"));
  RunOptions flagged;
  flagged.project = "/elsewhere";
  ApplyProjectConfig(c, Given({"--project"}), flagged);
  EXPECT_EQ(flagged.project, std::filesystem::path("/elsewhere"));
  RunOptions none;
  ApplyProjectConfig(Config(), Given({}), none);
  EXPECT_FALSE(none.project.has_value());
}

// A team's CI that does not want the traced reruns says so once.
TEST(ProjectOptionsTest, NoChangedCodeFromTheConfig) {
  ProjectConfig c = Config();
  c.no_changed_code = true;
  RunOptions run;
  ApplyProjectConfig(c, Given({}), run);
  EXPECT_TRUE(run.no_changed_code);
  RunOptions unset;
  ApplyProjectConfig(Config(), Given({}), unset);
  EXPECT_FALSE(unset.no_changed_code);
}

TEST(ProjectOptionsTest, AHugeRepeatIsAConfigErrorNotACrash) {
  ProjectConfig c = Config();
  c.repeat = "99999999999999999999";
  RunOptions run;
  EXPECT_THROW(ApplyProjectConfig(c, Given({}), run), ConfigError);
  c.repeat = "0";
  EXPECT_THROW(ApplyProjectConfig(c, Given({}), run), ConfigError);
}

TEST(ProjectOptionsTest, AdaptiveRepeatIsCheckedAndNamesTheFile) {
  ProjectConfig c = Config();
  c.repeat = "adaptive";
  RunOptions run;
  ApplyProjectConfig(c, Given({}), run);
  EXPECT_EQ(run.adaptive_repeat, "adaptive");
  EXPECT_FALSE(run.repeat);

  c.repeat = "lots";
  try {
    RunOptions bad;
    ApplyProjectConfig(c, Given({}), bad);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("/p/pyproject.toml: [tool.dspy-compat] repeat:"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
