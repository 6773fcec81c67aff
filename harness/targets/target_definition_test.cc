#include "targets/target_definition.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using test_support::SourceRoot;

class TargetDefinitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("targets_test_" + std::to_string(::getpid()));
    fs::create_directories(root_ / "t1");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const fs::path& rel, const std::string& text) { std::ofstream(root_ / rel) << text; }
  fs::path root_;
};

TEST(ShippedTargetsTest, BothPinnedReleasesLoad) {
  auto targets = ResolveTargets({"dspy-2.5.39", "dspy-2.5.40"}, SourceRoot() / "fixtures/targets");
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].dspy_version, "2.5.39");
  EXPECT_EQ(targets[1].dspy_version, "2.5.40");
  EXPECT_EQ(targets[1].lock_hash.size(), 64u);
  EXPECT_NE(targets[0].lock_hash, targets[1].lock_hash);
  EXPECT_EQ(targets[0].python_version, "3.11");
}

// `run` without --targets: the pinned pair, marked in their target.toml.
TEST(ShippedTargetsTest, DefaultTargetsAreThePinnedPair) {
  EXPECT_EQ(DefaultTargetNames(SourceRoot() / "fixtures/targets"),
            (std::vector<std::string>{"dspy-2.5.39", "dspy-2.5.40"}));
}

TEST_F(TargetDefinitionTest, DefaultFlagIsABooleanAndSomeTargetHasIt) {
  fs::create_directories(root_ / "t2");
  Write("t1/target.toml", "name='t1'\ndefault = true\n");
  Write("t2/target.toml", "name='t2'\n");
  EXPECT_EQ(DefaultTargetNames(root_), std::vector<std::string>{"t1"});
  Write("t2/target.toml", "name='t2'\ndefault = 'yes'\n");
  EXPECT_THROW(DefaultTargetNames(root_), TargetError);
  Write("t1/target.toml", "name='t1'\n");
  Write("t2/target.toml", "name='t2'\ndefault = false\n");
  EXPECT_THROW(DefaultTargetNames(root_), TargetError);
}

// Found by the target.toml fuzzer (corpus-regressions/target_toml): toml++'s
// description of `default = tru<newline>e` holds a line break, which split
// the one-line error.
TEST_F(TargetDefinitionTest, ParseErrorsAreOneLine) {
  Write("t1/target.toml", "name='t1'\ndefault = tru\ne\n");
  for (auto load : {+[](const fs::path& root) { (void)DefaultTargetNames(root); },
                    +[](const fs::path& root) { (void)LoadTargetDefinition(root / "t1"); }}) {
    try {
      load(root_);
      ADD_FAILURE() << "no error";
    } catch (const TargetError& e) {
      EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("target.toml:"), std::string::npos) << e.what();
    }
  }
}

TEST_F(TargetDefinitionTest, UnknownTargetListsKnownOnes) {
  Write("t1/target.toml", "");
  try {
    ResolveTargets({"dspy-9.9.9"}, root_);
    FAIL();
  } catch (const TargetError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("unknown target 'dspy-9.9.9'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("t1"), std::string::npos) << msg;
  }
}

TEST_F(TargetDefinitionTest, MalformedLockNamesTargetAndLine) {
  Write("t1/target.toml", "name='t1'\ndspy='2.5.40'\npython='3.11'\nlock='r.lock'\n");
  Write("t1/r.lock", "dspy==2.5.40\n");
  try {
    LoadTargetDefinition(root_ / "t1");
    FAIL();
  } catch (const TargetError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("target t1: malformed lock file"), std::string::npos) << msg;
  }
}

TEST_F(TargetDefinitionTest, MalformedTomlIsAnError) {
  Write("t1/target.toml", "name = \n");
  EXPECT_THROW(LoadTargetDefinition(root_ / "t1"), TargetError);
}

TEST_F(TargetDefinitionTest, LockMustPinTheDeclaredDspy) {
  Write("t1/target.toml", "name='t1'\ndspy='2.5.39'\npython='3.11'\nlock='r.lock'\n");
  Write("t1/r.lock",
        "dspy==2.5.40 \\\n    --hash=sha256:"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
  EXPECT_THROW(LoadTargetDefinition(root_ / "t1"), TargetError);
}

TEST_F(TargetDefinitionTest, UserPythonNeedsAnExistingInterpreter) {
  EXPECT_THROW(ResolveTargets({"python:/no/such/python"}, root_), TargetError);
  auto targets = ResolveTargets({"python:/bin/sh"}, root_);
  ASSERT_EQ(targets.size(), 1u);
  EXPECT_EQ(targets[0].kind, Target::Kind::kUserPython);
  EXPECT_EQ(targets[0].interpreter, fs::path("/bin/sh"));
}

TEST(SplitTargetListTest, CommasSplitTargetsButNotARange) {
  EXPECT_EQ(SplitTargetList({"dspy-2.5.39,dspy-2.5.40"}),
            (std::vector<std::string>{"dspy-2.5.39", "dspy-2.5.40"}));
  EXPECT_EQ(SplitTargetList({"dspy-2.5.39,dspy>=2.5.38,<2.6,dspy==3.4.1"}),
            (std::vector<std::string>{"dspy-2.5.39", "dspy>=2.5.38,<2.6", "dspy==3.4.1"}));
  EXPECT_EQ(SplitTargetList({"dspy>=2.5", "<2.6"}),
            (std::vector<std::string>{"dspy>=2.5", "<2.6"}));
  EXPECT_EQ(SplitTargetList({"a,,b,"}), (std::vector<std::string>{"a", "b"}));
}

TEST(MakeBaselineTest, MovesTheNamedTargetFirstKeepingTheOthersInOrder) {
  std::vector<Target> targets(4);
  for (int i = 0; i < 4; ++i) targets[static_cast<std::size_t>(i)].name = "t" + std::to_string(i);
  MakeBaseline(targets, "t2");
  std::vector<std::string> names;
  for (const auto& t : targets) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"t2", "t0", "t1", "t3"}));
  EXPECT_THROW(MakeBaseline(targets, "t9"), TargetError);
}

TEST(ShippedTargetsTest, SubstitutionsAreRecordedInTheShippedTargets) {
  auto targets = ResolveTargets({"dspy-2.5.40"}, SourceRoot() / "fixtures/targets");
  ASSERT_EQ(targets[0].substitutions.size(), 1u);
  EXPECT_EQ(targets[0].substitutions[0].package, "litellm");
  EXPECT_EQ(targets[0].substitutions[0].requested, "1.51.0");
  EXPECT_EQ(targets[0].substitutions[0].used, "1.53.1");
}

}  // namespace
}  // namespace dspy_compat
