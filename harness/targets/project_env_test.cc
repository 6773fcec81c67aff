#include "targets/project_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const std::string kHash = "--hash=sha256:" + std::string(64, 'e');

// Builds a fake venv, and "installs" a project by recording what it was
// asked; a configured installer output makes it fail as uv does.
class FakeBuilder : public EnvironmentBuilder {
 public:
  void Build(const Target&, const fs::path& dir) override {
    ++builds;
    fs::create_directories(dir / "bin");
    std::ofstream(dir / "bin" / "python") << "#!/bin/sh\n";
  }
  InterpreterProbe Probe(const fs::path&) override { return {dspy_version, "3.11.7", "/x/dspy"}; }
  ProjectInstallOutcome InstallProject(const fs::path& dir,
                                       const ProjectInstall& install) override {
    ++installs;
    asked = install;
    // The copy exists while the installer runs, and holds the project's files.
    copy_had_module = fs::exists(install.source / "support_desk" / "__init__.py");
    env_dir = dir;
    if (!fail_output.empty()) return {false, fail_output, {}};
    return {true,
            "",
            {"dspy==2.5.39", "litellm==1.53.1", "Humanize==4.11.0", "pytest==8.3.4",
             "support_desk==0.1.0"}};
  }

  int builds = 0;
  int installs = 0;
  ProjectInstall asked;
  bool copy_had_module = false;
  fs::path env_dir;
  std::string fail_output;
  std::string dspy_version = "2.5.39";
};

class ProjectEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("project_env_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    project_dir_ = dir_ / "support-desk";
    Write(project_dir_ / "pyproject.toml",
          "[project]\nname = \"support-desk\"\nversion = \"0.1.0\"\n"
          "dependencies = [\"dspy>=2.5.39,<2.6\", \"humanize>=4.9\"]\n"
          "[project.optional-dependencies]\ntest = [\"pytest>=8\"]\n");
    Write(project_dir_ / "support_desk" / "__init__.py", "\"\"\"Support.\"\"\"\n");
    Write(project_dir_ / "tests" / "test_it.py", "def test_it():\n    pass\n");
    Write(dir_ / "targets" / "requirements.lock",
          "dspy==2.5.39 \\\n    " + kHash + "\nlitellm==1.53.1 \\\n    " + kHash + "\n");
    target_.name = "dspy-2.5.39";
    target_.dspy_version = "2.5.39";
    target_.python_version = "3.11";
    target_.lock_file = dir_ / "targets" / "requirements.lock";
    target_.lock_hash = std::string(64, 'c');
    target_.substitutions = {{"litellm", "1.51.0", "1.53.1", "not served"}};
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  fs::path project_dir_;
  Target target_;
};

TEST_F(ProjectEnvTest, ReadsWhatTheProjectDeclaresAndWhichFilesItHas) {
  Write(project_dir_ / "requirements-dev.txt",
        "# tools\n-r requirements.txt\nruff==0.8.0  # lint\n\n");
  Write(project_dir_ / ".git" / "HEAD", "ref\n");
  Write(project_dir_ / ".env", "OPENAI_API_KEY=secret\n");
  Write(project_dir_ / "support_desk" / "__pycache__" / "x.cpython-311.pyc", "bytes");
  Write(project_dir_ / ".venv" / "pyvenv.cfg", "home = /usr\n");
  Write(project_dir_ / "venv" / "pyvenv.cfg", "home = /usr\n");
  Write(project_dir_ / "dspy-compat-out" / ".dspy-compat-out", "");
  Write(project_dir_ / "dspy-compat-out" / "results.json", "{}");
  Write(project_dir_ / "audit-out" / "report.md", "# report\n");
  Project project = ReadProject(project_dir_, {project_dir_ / "audit-out"});
  EXPECT_EQ(project.root, fs::canonical(project_dir_));
  EXPECT_EQ(project.dependency_files,
            (std::vector<std::string>{"pyproject.toml", "requirements-dev.txt"}));
  EXPECT_EQ(project.requirements, (std::vector<std::string>{"dspy>=2.5.39,<2.6", "humanize>=4.9",
                                                            "pytest>=8", "ruff==0.8.0"}));
  EXPECT_EQ(project.extras, std::vector<std::string>{"test"});
  EXPECT_TRUE(project.installable);
  EXPECT_EQ(project.files,
            (std::vector<std::string>{"pyproject.toml", "requirements-dev.txt",
                                      "support_desk/__init__.py", "tests/test_it.py"}));
}

TEST_F(ProjectEnvTest, AFolderWithoutDependencyFilesIsNoProject) {
  fs::remove(project_dir_ / "pyproject.toml");
  try {
    ReadProject(project_dir_);
    FAIL() << "no ProjectError";
  } catch (const ProjectError& e) {
    EXPECT_EQ(std::string(e.what()),
              "--project " + project_dir_.string() +
                  ": not a project: it has no pyproject.toml, requirements*.txt or uv.lock");
  }
  EXPECT_THROW(ReadProject(dir_ / "missing"), ProjectError);
  // requirements.txt alone is a project, but nothing of its own to install.
  Write(project_dir_ / "requirements.txt", "humanize\n");
  Project project = ReadProject(project_dir_);
  EXPECT_FALSE(project.installable);
  EXPECT_EQ(project.requirements, std::vector<std::string>{"humanize"});
}

TEST_F(ProjectEnvTest, InputHashFollowsTheLockTheOverridesAndEveryProjectFile) {
  const std::string base = ProjectInputHash(ReadProject(project_dir_), target_);
  EXPECT_EQ(base.size(), 64u);
  EXPECT_EQ(ProjectInputHash(ReadProject(project_dir_), target_), base);  // stable

  Target other_lock = target_;
  other_lock.lock_hash = std::string(64, 'd');
  EXPECT_NE(ProjectInputHash(ReadProject(project_dir_), other_lock), base);
  Target other_override = target_;
  other_override.substitutions[0].used = "1.53.2";
  EXPECT_NE(ProjectInputHash(ReadProject(project_dir_), other_override), base);

  // Bytecode and dot-folders are not inputs; the code and the dependencies are.
  Write(project_dir_ / "support_desk" / "__pycache__" / "x.pyc", "bytes");
  Write(project_dir_ / ".git" / "index", "x");
  EXPECT_EQ(ProjectInputHash(ReadProject(project_dir_), target_), base);
  Write(project_dir_ / "support_desk" / "__init__.py", "\"\"\"Support, edited.\"\"\"\n");
  const std::string edited = ProjectInputHash(ReadProject(project_dir_), target_);
  EXPECT_NE(edited, base);
  Write(project_dir_ / "requirements.txt", "tabulate\n");
  EXPECT_NE(ProjectInputHash(ReadProject(project_dir_), target_), edited);
}

TEST_F(ProjectEnvTest, TheLockConstrainsTheSubstitutionsOverrideAndPytestIsAddedWhenMissing) {
  Write(project_dir_ / "requirements.txt", "tabulate\n");
  Project project = ReadProject(project_dir_);
  LockFile lock = ReadLockFile(target_.lock_file);
  ProjectInstall install = ComposeInstall(project, target_, lock, "/copy");
  EXPECT_EQ(install.source, fs::path("/copy"));
  EXPECT_EQ(install.constraints, (std::vector<std::string>{"dspy==2.5.39", "litellm==1.53.1"}));
  EXPECT_EQ(install.overrides, std::vector<std::string>{"litellm==1.53.1"});
  // pytest is declared in the test extra: not added.
  EXPECT_EQ(install.requirements,
            (std::vector<std::string>{"-r", "/copy/requirements.txt", "/copy[test]"}));
  EXPECT_TRUE(DeclaresPytest(project));

  Write(project_dir_ / "pyproject.toml",
        "[project]\nname = \"support-desk\"\nversion = \"0.1.0\"\ndependencies = [\"dspy\"]\n");
  project = ReadProject(project_dir_);
  EXPECT_FALSE(DeclaresPytest(project));
  EXPECT_EQ(ComposeInstall(project, target_, lock, "/copy").requirements,
            (std::vector<std::string>{"-r", "/copy/requirements.txt", "/copy", "pytest"}));
}

TEST_F(ProjectEnvTest, AnUnresolvableRequirementIsOneLineNamingItAndTheTargetsDspy) {
  Write(project_dir_ / "pyproject.toml",
        "[project]\nname = \"support-desk\"\nversion = \"0.1.0\"\n"
        "dependencies = [\"humanize>=4.9\", \"dspy==2.4.0\"]\n");
  Project project = ReadProject(project_dir_);
  const std::string uv =
      "error: No solution found when resolving dependencies\n"
      "  cause: Because support-desk==0.1.0 depends on dspy==2.4.0 and dspy==2.5.39, we can "
      "conclude that support-desk==0.1.0 cannot be used.\n"
      "         And because only support-desk==0.1.0 is available and you require "
      "support-desk, we can conclude that your requirements are unsatisfiable.\n";
  const std::string line = DescribeProjectConflict(project, target_, uv);
  EXPECT_EQ(line,
            "target dspy-2.5.39: the project's requirement 'dspy==2.4.0' cannot live with DSPy "
            "2.5.39 (the target's lock wins for DSPy and what it pins): Because "
            "support-desk==0.1.0 depends on dspy==2.4.0 and dspy==2.5.39, we can conclude that "
            "support-desk==0.1.0 cannot be used.");
  // A transitive conflict names the project's requirement that brings it.
  const std::string transitive =
      "  × No solution found when resolving dependencies:\n"
      "  ╰─▶ Because humanize==4.11.0 depends on anyio<4 and anyio==4.6.2, we can conclude "
      "that humanize==4.11.0 cannot be used.\n";
  EXPECT_NE(DescribeProjectConflict(project, target_, transitive)
                .find("the project's requirement 'humanize>=4.9' cannot live with DSPy 2.5.39"),
            std::string::npos);
  // Not a resolution: said as such, never as a conflict with DSPy.
  const std::string other = DescribeProjectConflict(
      project, target_, "error: Failed to build `support-desk @ file:///copy`\n");
  EXPECT_EQ(other, "target dspy-2.5.39: could not install the project " +
                       fs::canonical(project_dir_).string() +
                       ": error: Failed to build `support-desk @ file:///copy`");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST_F(ProjectEnvTest, RequirementNamesAreNormalised) {
  EXPECT_EQ(RequirementName("Python_Slugify>=8"), "python-slugify");
  EXPECT_EQ(RequirementName("dspy[anthropic]==2.5.39"), "dspy");
  EXPECT_EQ(RequirementName("zope.interface ; python_version>'3'"), "zope-interface");
  EXPECT_EQ(RequirementName(""), "");
}

TEST_F(ProjectEnvTest, InstalledBeyondTheLockLeavesLockedVersionsOut) {
  LockFile lock = ReadLockFile(target_.lock_file);
  EXPECT_EQ(InstalledBeyondLock({"dspy==2.5.39", "litellm==1.60.0", "Humanize==4.11.0"}, lock),
            (std::vector<std::string>{"humanize==4.11.0", "litellm==1.60.0"}));
}

TEST_F(ProjectEnvTest, BuildsOncePerInputsFromACopyAndRecordsWhatItInstalled) {
  FakeBuilder builder;
  EnvironmentCache cache(dir_ / "cache", builder);
  ProjectEnvironments envs(ReadProject(project_dir_), cache, builder, dir_ / "cache" / "scratch");
  auto ready = envs.Sync(target_);
  EXPECT_EQ(builder.builds, 1);
  EXPECT_EQ(builder.installs, 1);
  EXPECT_TRUE(builder.copy_had_module);
  EXPECT_NE(builder.asked.source, fs::canonical(project_dir_));  // a copy, not the tree
  EXPECT_FALSE(fs::exists(builder.asked.source));                // removed once installed
  const std::string hash = ProjectInputHash(ReadProject(project_dir_), target_);
  EXPECT_EQ(ready.target.interpreter, cache.ProjectDirFor(target_, hash) / "bin" / "python");
  EXPECT_EQ(ready.target.lock_hash, target_.lock_hash);
  EXPECT_EQ(ready.info.root, fs::canonical(project_dir_).string());
  EXPECT_EQ(ready.info.input_hash, hash);
  EXPECT_EQ(ready.info.installed,
            (std::vector<std::string>{"humanize==4.11.0", "pytest==8.3.4", "support-desk==0.1.0"}));
  EXPECT_TRUE(ready.info.added.empty());  // its test extra declares pytest
  EXPECT_EQ(ready.info.requirements,
            (std::vector<std::string>{"dspy>=2.5.39,<2.6", "humanize>=4.9", "pytest>=8"}));

  // Same inputs: the cache, with the same record.
  auto again = envs.Sync(target_);
  EXPECT_EQ(builder.builds, 1);
  EXPECT_EQ(again.info, ready.info);

  // An edited file: another environment.
  Write(project_dir_ / "support_desk" / "__init__.py", "\"\"\"Edited.\"\"\"\n");
  ProjectEnvironments edited(ReadProject(project_dir_), cache, builder, dir_ / "cache" / "scratch");
  auto rebuilt = edited.Sync(target_);
  EXPECT_EQ(builder.builds, 2);
  EXPECT_NE(rebuilt.info.input_hash, ready.info.input_hash);
  EXPECT_NE(rebuilt.target.interpreter, ready.target.interpreter);
}

TEST_F(ProjectEnvTest, AConflictLeavesNothingThatLooksFinished) {
  FakeBuilder builder;
  builder.fail_output =
      "error: No solution found when resolving dependencies\n  cause: Because support-desk==0.1.0 "
      "depends on dspy==2.4.0 and dspy==2.5.39, we can conclude that support-desk==0.1.0 "
      "cannot be used.\n";
  Write(project_dir_ / "pyproject.toml",
        "[project]\nname = \"support-desk\"\nversion = \"0.1.0\"\n"
        "dependencies = [\"dspy==2.4.0\"]\n");
  EnvironmentCache cache(dir_ / "cache", builder);
  ProjectEnvironments envs(ReadProject(project_dir_), cache, builder, dir_ / "cache" / "scratch");
  try {
    envs.Sync(target_);
    FAIL() << "no ProvisionError";
  } catch (const ProvisionError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "target dspy-2.5.39: the project's requirement 'dspy==2.4.0' cannot live with "
                  "DSPy 2.5.39"),
              std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(fs::exists(builder.env_dir));  // the staging folder is gone
  const std::string hash = ProjectInputHash(ReadProject(project_dir_), target_);
  EXPECT_FALSE(fs::exists(cache.ProjectDirFor(target_, hash)));
  // Fixed: built then.
  builder.fail_output.clear();
  EXPECT_NO_THROW(envs.Sync(target_));
  EXPECT_EQ(builder.installs, 2);
}

TEST_F(ProjectEnvTest, AUsersOwnInterpreterIsNeverInstalledInto) {
  FakeBuilder builder;
  EnvironmentCache cache(dir_ / "cache", builder);
  ProjectEnvironments envs(ReadProject(project_dir_), cache, builder, dir_ / "cache" / "scratch");
  Target mine;
  mine.name = "python:/usr/bin/python3";
  mine.kind = Target::Kind::kUserPython;
  mine.interpreter = "/usr/bin/python3";
  auto ready = envs.Sync(mine);
  EXPECT_EQ(builder.installs, 0);
  EXPECT_EQ(ready.target.interpreter, fs::path("/usr/bin/python3"));
  EXPECT_TRUE(ready.info.input_hash.empty());
  EXPECT_NE(ready.info.note.find("not installed"), std::string::npos);
}

}  // namespace
}  // namespace dspy_compat
