#include "targets/release_resolver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "targets/fake_release_seams.h"
#include "targets/target_definition.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using test_support::FakeIndex;
using test_support::LockBody;
using test_support::ScriptedCompiler;

class ReleaseResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("resolver_test_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    std::vector<std::pair<std::string, std::string>> files;
    for (const char* v : {"2.5.37", "2.5.38", "2.5.39", "2.5.40", "2.5.41", "2.5.42", "2.5.43",
                          "2.6.0rc1", "2.6.0rc5", "2.6.0", "3.0.0b1", "3.0.0"}) {
      files.push_back({std::string("dspy-") + v + "-py3-none-any.whl", "2024-11-26T17:23:01Z"});
    }
    index_.Add("dspy", files);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::vector<std::string> Select(const std::string& spec, bool pre = false) {
    std::vector<std::string> out;
    for (const auto& r :
         SelectReleases(ReleasesOf(index_.Project("dspy")), ParseReleaseSpec(spec), pre, "idx")) {
      out.push_back(r.version_text);
    }
    return out;
  }
  void AnswerLocks(const std::vector<std::string>& versions) {
    for (const auto& v : versions)
      compiler_.answers.push_back({true, LockBody({"dspy==" + v}), ""});
  }
  fs::path root_;
  FakeIndex index_;
  ScriptedCompiler compiler_;
};

TEST_F(ReleaseResolverTest, RangeIsEveryFinalReleaseOldestFirst) {
  EXPECT_EQ(Select("dspy>=2.5.38,<2.6"),
            (std::vector<std::string>{"2.5.38", "2.5.39", "2.5.40", "2.5.41", "2.5.42", "2.5.43"}));
  EXPECT_EQ(Select("dspy>=2.5.43,<3.1"), (std::vector<std::string>{"2.5.43", "2.6.0", "3.0.0"}));
}

TEST_F(ReleaseResolverTest, PreAddsPreReleases) {
  EXPECT_EQ(Select("dspy>2.5.43,<3", true),
            (std::vector<std::string>{"2.6.0rc1", "2.6.0rc5", "2.6.0"}));
  // A range that names a pre-release admits them without --pre (PEP 440).
  EXPECT_EQ(Select("dspy>=2.6.0rc5,<3"), (std::vector<std::string>{"2.6.0rc5", "2.6.0"}));
  // An exact pin selects its pre-release.
  EXPECT_EQ(Select("dspy==2.6.0rc1"), (std::vector<std::string>{"2.6.0rc1"}));
}

TEST_F(ReleaseResolverTest, NoMatchIsAReleaseErrorNamingTheVersion) {
  try {
    Select("dspy==2.5.99");
    FAIL();
  } catch (const ReleaseError& e) {
    EXPECT_STREQ(e.what(), "dspy==2.5.99: idx has no release dspy==2.5.99");
  }
  EXPECT_THROW(Select("dspy>=4"), ReleaseError);
}

TEST_F(ReleaseResolverTest, ExpandLocksEachReleaseOnceThenReusesTheLock) {
  ReleaseTargets releases(index_, compiler_, root_, false);
  AnswerLocks({"2.5.42", "2.5.43"});
  auto targets = releases.Expand("dspy>=2.5.42,<2.6");
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[0].name, "dspy-2.5.42");
  EXPECT_EQ(targets[1].name, "dspy-2.5.43");
  EXPECT_EQ(compiler_.requests.size(), 2u);
  EXPECT_TRUE(fs::exists(releases.LockDir() / "dspy-2.5.43" / "requirements.lock"));
  // Again: the range needs the index, but no release is locked twice.
  auto again = releases.Expand("dspy>=2.5.42,<2.6");
  EXPECT_EQ(compiler_.requests.size(), 2u);
  EXPECT_EQ(again[1].lock_hash, targets[1].lock_hash);
  // An exact pin locked before needs no index request at all.
  int requests = index_.requests;
  auto exact = releases.Expand("dspy==2.5.43");
  EXPECT_EQ(index_.requests, requests);
  EXPECT_EQ(exact[0].lock_hash, targets[1].lock_hash);
}

TEST_F(ReleaseResolverTest, VersionsListsARangeWithoutLockingAny) {
  ReleaseTargets releases(index_, compiler_, root_, false);
  EXPECT_EQ(releases.Versions("dspy>=2.5.39,<=2.6.0"),
            (std::vector<std::string>{"2.5.39", "2.5.40", "2.5.41", "2.5.42", "2.5.43", "2.6.0"}));
  EXPECT_TRUE(compiler_.requests.empty());
  EXPECT_FALSE(fs::exists(releases.LockDir()));
  EXPECT_THROW(releases.Versions("dspy>=9"), ReleaseError);
}

TEST_F(ReleaseResolverTest, ResolveTargetsMixesNamesAndSpecs) {
  ReleaseTargets releases(index_, compiler_, root_, false);
  AnswerLocks({"2.6.0"});
  auto targets = ResolveTargets({"python:/bin/sh", "dspy==2.6.0"}, root_ / "none", &releases);
  ASSERT_EQ(targets.size(), 2u);
  EXPECT_EQ(targets[1].name, "dspy-2.6.0");
  EXPECT_EQ(targets[1].kind, Target::Kind::kLocked);
  EXPECT_THROW(ResolveTargets({"dspy==2.6.0"}, root_), TargetError);  // no resolver given
  EXPECT_THROW(ResolveTargets({"numpy==2.0"}, root_, &releases), TargetError);
  EXPECT_THROW(ResolveTargets({"dspy==2.5.99"}, root_, &releases), ReleaseError);
}

}  // namespace
}  // namespace dspy_compat
