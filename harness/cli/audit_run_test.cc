// The run `audit DIR --targets` makes: the project in every target, its
// files in OUT/run, the project's scenarios (flag, config, else its test
// files) then the findings' catalogue scenarios, and the audit's flags over
// DIR's [tool.dspy-compat], which never picks the targets, out or gate.
#include "cli/audit_run.h"

#include <gtest/gtest.h>

#include <fstream>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

class AuditRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("audit_run_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    audit_.dir = dir_;
    audit_.out = dir_ / "audit-out";
    audit_.targets = {"dspy-2.5.39", "dspy-2.5.40"};
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Touch(const fs::path& relative) {
    fs::create_directories((dir_ / relative).parent_path());
    std::ofstream(dir_ / relative) << "def test_x():\n    pass\n";
  }

  ProjectConfig Config() {
    ProjectConfig c;
    c.file = dir_ / "pyproject.toml";
    c.targets = std::vector<std::string>{"dspy-2.6.0"};
    c.scenarios = std::vector<fs::path>{dir_ / "dspy_scenarios"};
    c.repeat = "adaptive";
    c.jobs = 3;
    c.timeout = 30;
    c.out = dir_ / "elsewhere";
    c.gate = true;
    c.baseline = dir_ / "baseline.json";
    c.project = dir_ / "other";
    return c;
  }

  fs::path dir_;
  AuditOptions audit_;
  const std::vector<fs::path> finding_files_ = {"/share/scenarios/ctx.py",
                                                "/share/scenarios/ctx_migrated.py"};
};

TEST_F(AuditRunTest, TheProjectInEveryTargetIntoOutRunThenTheFindingsScenarios) {
  Touch("tests/test_api.py");
  RunOptions run = AuditRunOptions(audit_, nullptr, finding_files_);
  EXPECT_EQ(run.targets, audit_.targets);
  EXPECT_EQ(run.project, dir_);
  EXPECT_EQ(run.out, dir_ / "audit-out" / "run");
  EXPECT_EQ(run.scenarios,
            (std::vector<fs::path>{dir_ / "tests" / "test_api.py", "/share/scenarios/ctx.py",
                                   "/share/scenarios/ctx_migrated.py"}));
  EXPECT_FALSE(run.gate);  // the audit judges the results itself
  EXPECT_FALSE(run.repeat);
  EXPECT_FALSE(run.adaptive_repeat);  // run's default
}

TEST_F(AuditRunTest, DefaultProjectScenariosAreItsPytestFilesUnderTestsAndTest) {
  Touch("tests/test_b.py");
  Touch("tests/unit/a_test.py");
  Touch("tests/conftest.py");
  Touch("tests/helpers.py");
  Touch("tests/__pycache__/test_b.py");
  Touch("tests/.hidden/test_c.py");
  Touch("test/test_a.py");
  Touch("test_top.py");  // not under tests/ or test/
  EXPECT_EQ(ProjectTestFiles(dir_),
            (std::vector<fs::path>{dir_ / "test" / "test_a.py", dir_ / "tests" / "test_b.py",
                                   dir_ / "tests" / "unit" / "a_test.py"}));
  fs::remove_all(dir_ / "tests");
  fs::remove_all(dir_ / "test");
  EXPECT_TRUE(ProjectTestFiles(dir_).empty());
  // No project scenario at all: only the findings' run.
  EXPECT_EQ(AuditRunOptions(audit_, nullptr, finding_files_).scenarios, finding_files_);
}

TEST_F(AuditRunTest, TheConfigsScenariosComeBeforeTheTestFolderAndTheFlagBeforeBoth) {
  Touch("tests/test_api.py");
  ProjectConfig config = Config();
  RunOptions from_config = AuditRunOptions(audit_, &config, {});
  EXPECT_EQ(from_config.scenarios, std::vector<fs::path>{dir_ / "dspy_scenarios"});

  audit_.scenarios = {dir_ / "tests" / "test_api.py::test_x"};
  RunOptions from_flag = AuditRunOptions(audit_, &config, finding_files_);
  EXPECT_EQ(from_flag.scenarios,
            (std::vector<fs::path>{dir_ / "tests" / "test_api.py::test_x",
                                   "/share/scenarios/ctx.py", "/share/scenarios/ctx_migrated.py"}));
}

TEST_F(AuditRunTest, TheConfigFillsRunSettingsButNeverTheTargetsOutProjectOrGate) {
  ProjectConfig config = Config();
  RunOptions run = AuditRunOptions(audit_, &config, finding_files_);
  EXPECT_EQ(run.adaptive_repeat, "adaptive");
  EXPECT_EQ(run.jobs, 3);
  EXPECT_EQ(run.timeout_seconds, 30);
  EXPECT_EQ(run.targets, audit_.targets);
  EXPECT_EQ(run.out, dir_ / "audit-out" / "run");
  EXPECT_EQ(run.project, dir_);
  EXPECT_FALSE(run.gate);
  EXPECT_FALSE(run.gate_options.baseline);
}

TEST_F(AuditRunTest, TheAuditsFlagsWinOverTheConfig) {
  ProjectConfig config = Config();
  audit_.repeat = "2";
  audit_.jobs = 1;
  audit_.seed = 7;
  audit_.cache_dir = dir_ / "cache";
  RunOptions run = AuditRunOptions(audit_, &config, finding_files_);
  EXPECT_EQ(run.repeat, 2);
  EXPECT_FALSE(run.adaptive_repeat);
  EXPECT_EQ(run.jobs, 1);
  EXPECT_EQ(run.seed, 7u);
  EXPECT_EQ(run.cache_dir, dir_ / "cache");

  audit_.repeat = "3..9";
  EXPECT_EQ(AuditRunOptions(audit_, &config, {}).adaptive_repeat, "3..9");
}

TEST_F(AuditRunTest, AMalformedRepeatInTheConfigIsAConfigError) {
  ProjectConfig config = Config();
  config.repeat = "sometimes";
  EXPECT_THROW(AuditRunOptions(audit_, &config, {}), ConfigError);
}

}  // namespace
}  // namespace dspy_compat
