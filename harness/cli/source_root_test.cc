// The data lookup on temporary folder layouts: an install tree (bin/ beside
// share/dspy-compat/), a build tree, and $DSPY_COMPAT_ROOT.
#include "cli/source_root.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

class SourceRootTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("dspy-compat-source-root-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "prefix/bin");
    std::ofstream(root_ / "prefix/bin/dspy-compat") << "";
    fs::create_directories(root_ / "source/fixtures/targets");
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST_F(SourceRootTest, InstalledBinaryFindsTheDataBesideItself) {
  fs::create_directories(root_ / "prefix/share/dspy-compat/fixtures/targets");
  EXPECT_EQ(FindDataRoot(nullptr, root_ / "prefix/bin/dspy-compat", root_ / "source"),
            root_ / "prefix/share/dspy-compat");
}

TEST_F(SourceRootTest, BuildTreeFallsBackToTheCompiledInSourceTree) {
  // No share/dspy-compat beside the binary, or one without the targets.
  EXPECT_EQ(FindDataRoot(nullptr, root_ / "prefix/bin/dspy-compat", root_ / "source"),
            root_ / "source");
  fs::create_directories(root_ / "prefix/share/dspy-compat/scenarios");
  EXPECT_EQ(FindDataRoot("", root_ / "prefix/bin/dspy-compat", root_ / "source"), root_ / "source");
}

TEST_F(SourceRootTest, EnvironmentVariableWinsOverBoth) {
  fs::create_directories(root_ / "prefix/share/dspy-compat/fixtures/targets");
  EXPECT_EQ(
      FindDataRoot((root_ / "mine").c_str(), root_ / "prefix/bin/dspy-compat", root_ / "source"),
      root_ / "mine");
}

TEST_F(SourceRootTest, UnknownExecutableUsesTheCompiledInTree) {
  EXPECT_EQ(FindDataRoot(nullptr, fs::path(), root_ / "source"), root_ / "source");
}

TEST_F(SourceRootTest, RunningTestBinaryIsNotAnInstallTree) {
  // The test binary sits in the build tree: the configured source tree.
  if (const char* env = std::getenv("DSPY_COMPAT_ROOT"); env != nullptr && *env != '\0') {
    GTEST_SKIP() << "DSPY_COMPAT_ROOT is set";
  }
  EXPECT_EQ(SourceRoot(), fs::path(DSPY_COMPAT_SOURCE_ROOT_DEFAULT));
}

TEST_F(SourceRootTest, BareScenarioIdNamesTheBundledScenario) {
  fs::create_directories(root_ / "source/scenarios");
  std::ofstream(root_ / "source/scenarios/issue1867_single.py") << "";
  std::ofstream(root_ / "mine.py") << "";
  auto paths = ResolveBundledScenarios(
      {"issue1867_single", root_ / "mine.py", "no_such_scenario", "dir/issue1867_single"},
      root_ / "source");
  EXPECT_EQ(paths,
            (std::vector<fs::path>{root_ / "source/scenarios/issue1867_single.py",
                                   root_ / "mine.py", "no_such_scenario", "dir/issue1867_single"}));
}

}  // namespace
}  // namespace dspy_compat
