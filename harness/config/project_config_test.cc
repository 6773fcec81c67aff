// [tool.dspy-compat] in pyproject.toml: discovery upward, keys, types.
#include "config/project_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

class ProjectConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dspy-compat-config-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "project/src/deep");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path Write(const fs::path& relative, const std::string& text) {
    std::ofstream(root_ / relative) << text;
    return root_ / relative;
  }
  std::string ErrorOf(const std::string& table) {
    fs::path file = Write("project/pyproject.toml", "[tool.dspy-compat]\n" + table);
    try {
      ReadProjectConfig(file);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }
  fs::path root_;
};

TEST_F(ProjectConfigTest, FoundFromASubfolderUpward) {
  fs::path file = Write("project/pyproject.toml", "[tool.dspy-compat]\nrepeat = 3\n");
  EXPECT_EQ(FindProjectConfig(root_ / "project/src/deep"), file);
  EXPECT_EQ(FindProjectConfig(root_ / "project"), file);
}

TEST_F(ProjectConfigTest, PyprojectWithoutTheTableIsPassedOver) {
  // As ruff: the nearest file that has [tool.dspy-compat], not the nearest file.
  fs::path outer = Write("project/pyproject.toml", "[tool.dspy-compat]\nrepeat = 3\n");
  Write("project/src/pyproject.toml", "[project]\nname = 'inner'\n[tool.ruff]\n");
  EXPECT_EQ(FindProjectConfig(root_ / "project/src/deep"), outer);
}

TEST_F(ProjectConfigTest, NoneFoundIsNotAnError) {
  Write("project/pyproject.toml", "[project]\nname = 'x'\n");
  // Above root_ lies /tmp; a stray pyproject there would be found, so only
  // check that the walk ends.
  auto found = FindProjectConfig(root_ / "project/src");
  EXPECT_TRUE(!found || found->parent_path() != root_ / "project");
}

TEST_F(ProjectConfigTest, BrokenPyprojectOnTheWayIsAnError) {
  Write("project/src/pyproject.toml", "[tool.dspy-compat\n");
  EXPECT_THROW(FindProjectConfig(root_ / "project/src/deep"), ConfigError);
}

TEST_F(ProjectConfigTest, ReadsEveryKeyWithPathsRelativeToThePyproject) {
  fs::create_directories(root_ / "project/tests/scenarios");
  fs::path file = Write("project/pyproject.toml", R"([tool.dspy-compat]
targets = ["dspy-2.5.39", "python:/opt/venv/bin/python"]
scenarios = ["tests/scenarios", "issue1867_single"]
repeat = "adaptive"
schedule = "explore"
explore-quiet-ms = 150
jobs = 4
timeout = 60
lm-delay-ms = "5-15"
seed = 7
out = "build/compat"
cold = true
keep-work = false
no-changed-code = true
pass-env = ["MY_*"]
scrub = ["INTERNAL_URL"]
gate = true
baseline = "compat-baseline.json"
knowledge = ["kb/ours.toml"]
)");
  ProjectConfig c = ReadProjectConfig(file);
  fs::path dir = root_ / "project";
  EXPECT_EQ(c.targets, (std::vector<std::string>{"dspy-2.5.39", "python:/opt/venv/bin/python"}));
  // A folder beside the pyproject is made absolute; a bare id stays.
  EXPECT_EQ(c.scenarios, (std::vector<fs::path>{dir / "tests/scenarios", "issue1867_single"}));
  EXPECT_EQ(c.repeat, "adaptive");
  EXPECT_EQ(c.schedule, "explore");
  EXPECT_EQ(c.explore_quiet_ms, 150);
  EXPECT_EQ(c.jobs, 4);
  EXPECT_EQ(c.timeout, 60);
  EXPECT_EQ(c.lm_delay_ms, "5-15");
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.out, dir / "build/compat");
  EXPECT_EQ(c.cold, true);
  EXPECT_EQ(c.keep_work, false);
  EXPECT_EQ(c.no_changed_code, true);
  EXPECT_EQ(c.pass_env, (std::vector<std::string>{"MY_*"}));
  EXPECT_EQ(c.scrub, (std::vector<std::string>{"INTERNAL_URL"}));
  EXPECT_EQ(c.gate, true);
  EXPECT_EQ(c.baseline, dir / "compat-baseline.json");
  EXPECT_EQ(c.knowledge, (std::vector<fs::path>{dir / "kb/ours.toml"}));
}

// `project = "."`: run --project with the pyproject's own folder.
TEST_F(ProjectConfigTest, ProjectIsAFolderRelativeToThePyproject) {
  ProjectConfig c =
      ReadProjectConfig(Write("project/pyproject.toml", "[tool.dspy-compat]\nproject = \".\"\n"));
  EXPECT_EQ(c.project, root_ / "project");
  c = ReadProjectConfig(Write("project/pyproject.toml", "[tool.dspy-compat]\nproject = \"src\"\n"));
  EXPECT_EQ(c.project, root_ / "project/src");
  EXPECT_NE(ErrorOf("project = true\n").find("project: expected a string"), std::string::npos);
}

TEST_F(ProjectConfigTest, IntegerRepeatAndUnsetKeys) {
  ProjectConfig c = ReadProjectConfig(Write("pyproject.toml", "[tool.dspy-compat]\nrepeat = 10\n"));
  EXPECT_EQ(c.repeat, "10");
  EXPECT_FALSE(c.targets);
  EXPECT_FALSE(c.gate);
}

TEST_F(ProjectConfigTest, UnknownKeyIsOneLineNamingItAndTheFile) {
  std::string error = ErrorOf("repeats = 3\n");
  EXPECT_NE(error.find("unknown key 'repeats'"), std::string::npos) << error;
  EXPECT_NE(error.find((root_ / "project/pyproject.toml").string()), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST_F(ProjectConfigTest, WrongTypesNameTheKey) {
  EXPECT_NE(ErrorOf("targets = \"dspy-2.5.40\"\n").find("targets: expected an array of strings"),
            std::string::npos);
  EXPECT_NE(ErrorOf("targets = [1]\n").find("targets: expected an array of strings"),
            std::string::npos);
  EXPECT_NE(ErrorOf("repeat = true\n").find("repeat: expected a count"), std::string::npos);
  EXPECT_NE(ErrorOf("repeat = 0\n").find("repeat: expected an integer from 1"), std::string::npos);
  EXPECT_NE(ErrorOf("jobs = \"2\"\n").find("jobs: expected an integer"), std::string::npos);
  EXPECT_NE(ErrorOf("gate = \"yes\"\n").find("gate: expected true or false"), std::string::npos);
  EXPECT_NE(ErrorOf("schedule = \"fast\"\n").find("schedule: expected one of natural"),
            std::string::npos);
  EXPECT_NE(ErrorOf("explore-quiet-ms = 2\n").find("explore-quiet-ms: expected an integer from 5"),
            std::string::npos);
  EXPECT_NE(ErrorOf("out = 3\n").find("out: expected a string"), std::string::npos);
}

TEST_F(ProjectConfigTest, InvalidTomlNamesFileAndLine) {
  fs::path file = Write("pyproject.toml", "[tool.dspy-compat]\nrepeat = = 3\n");
  try {
    ReadProjectConfig(file);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":2:"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
