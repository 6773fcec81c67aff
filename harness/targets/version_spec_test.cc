#include "targets/version_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace dspy_compat {
namespace {

bool In(const char* spec, const char* version) {
  return ParseSpecifierSet(spec).Contains(ParseVersion(version));
}

TEST(VersionTest, ParsesTheFormsIndexesServe) {
  EXPECT_EQ(ParseVersion("2.6.0").ToString(), "2.6.0");
  EXPECT_EQ(ParseVersion("2.6.0rc11").ToString(), "2.6.0rc11");
  EXPECT_EQ(ParseVersion("2.6.0-RC.11").ToString(), "2.6.0rc11");
  EXPECT_EQ(ParseVersion("1.53.1.dev1").ToString(), "1.53.1.dev1");
  EXPECT_EQ(ParseVersion("3.3.0b1").ToString(), "3.3.0b1");
  EXPECT_EQ(ParseVersion("1.0alpha2").ToString(), "1.0a2");
  EXPECT_EQ(ParseVersion("2.5.0.post1").ToString(), "2.5.0.post1");
  EXPECT_EQ(ParseVersion("2.5.0-1").ToString(), "2.5.0.post1");
  EXPECT_EQ(ParseVersion("1!2.0").ToString(), "1!2.0");
  EXPECT_EQ(ParseVersion("v2.5").ToString(), "2.5");
  EXPECT_EQ(ParseVersion("1.0+local-7").ToString(), "1.0+local.7");
  EXPECT_TRUE(ParseVersion("2.6.0rc1").IsPreRelease());
  EXPECT_TRUE(ParseVersion("1.53.1.dev1").IsPreRelease());
  EXPECT_FALSE(ParseVersion("2.5.0.post1").IsPreRelease());
}

TEST(VersionTest, RejectsWhatIsNotAVersion) {
  for (const char* bad : {"", "dspy", "2.6.x", "2..6", "2.6.0rc1rc2", "1.0+", "2.6 0"}) {
    EXPECT_THROW(ParseVersion(bad), VersionError) << bad;
    EXPECT_FALSE(TryParseVersion(bad)) << bad;
  }
}

TEST(VersionTest, Pep440Ordering) {
  // The PEP's own example order, plus DSPy's and litellm's forms.
  std::vector<std::string> ordered = {"1.0.dev456",    "1.0a1",
                                      "1.0a2.dev456",  "1.0a12.dev456",
                                      "1.0a12",        "1.0b1.dev456",
                                      "1.0b2",         "1.0b2.post345.dev456",
                                      "1.0b2.post345", "1.0rc1.dev456",
                                      "1.0rc1",        "1.0",
                                      "1.0+abc.5",     "1.0.post456.dev34",
                                      "1.0.post456",   "1.1.dev1",
                                      "2.5.9",         "2.5.39",
                                      "2.5.40",        "2.6.0rc1",
                                      "2.6.0rc2",      "2.6.0rc11",
                                      "2.6.0",         "2.6.1",
                                      "3.0.0b1",       "3.0.0",
                                      "3.4.1",         "1!0.1"};
  std::vector<std::string> shuffled = ordered;
  std::mt19937 rng(7);
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  std::sort(shuffled.begin(), shuffled.end(), [](const std::string& a, const std::string& b) {
    return ParseVersion(a) < ParseVersion(b);
  });
  EXPECT_EQ(shuffled, ordered);
  EXPECT_EQ(ParseVersion("2.6"), ParseVersion("2.6.0"));
  EXPECT_EQ(Compare(ParseVersion("2.5.40"), ParseVersion("2.5.4")), 1);
}

TEST(VersionSpecifierTest, RangesAndTheirPreReleaseRules) {
  EXPECT_TRUE(In(">=2.5.38,<2.6", "2.5.38"));
  EXPECT_TRUE(In(">=2.5.38,<2.6", "2.5.43"));
  EXPECT_FALSE(In(">=2.5.38,<2.6", "2.5.37"));
  EXPECT_FALSE(In(">=2.5.38,<2.6", "2.6.0"));
  // "<2.6" excludes 2.6's own pre-releases; "<2.6.0rc2" admits rc1.
  EXPECT_FALSE(In("<2.6", "2.6.0rc1"));
  EXPECT_TRUE(In("<2.6.0rc2", "2.6.0rc1"));
  // ">2.5" excludes 2.5's post-releases.
  EXPECT_FALSE(In(">2.5", "2.5.post1"));
  EXPECT_TRUE(In(">2.5", "2.5.1"));
  EXPECT_TRUE(In("==2.6.*", "2.6.0rc3"));
  EXPECT_TRUE(In("==2.6.*", "2.6.5"));
  EXPECT_FALSE(In("==2.6.*", "2.7.0"));
  EXPECT_TRUE(In("!=2.5.40", "2.5.39"));
  EXPECT_FALSE(In("!=2.5.40", "2.5.40"));
  EXPECT_TRUE(In("~=2.5.38", "2.5.43"));
  EXPECT_FALSE(In("~=2.5.38", "2.6.0"));
  EXPECT_TRUE(In("==2.6", "2.6.0"));
  EXPECT_TRUE(In("==2.6.0", "2.6.0+local"));
  EXPECT_TRUE(In("<3.16,>=3.10", "3.11"));
  EXPECT_FALSE(In("<3.16,>=3.10", "3.9"));
  EXPECT_TRUE(In("", "1.0"));
}

TEST(VersionSpecifierTest, MalformedSpecifiersAreErrors) {
  for (const char* bad : {">=", "2.6.0", ">=2.5,", "~=2", ">=2.*", "=>2.5", ">=2.5,,<3"}) {
    EXPECT_THROW(ParseSpecifierSet(bad), VersionError) << bad;
  }
}

TEST(ReleaseSpecTest, TellsSpecsFromTargetNames) {
  EXPECT_TRUE(IsReleaseSpec("dspy==2.6.0"));
  EXPECT_TRUE(IsReleaseSpec("dspy>=2.5.38,<2.6"));
  EXPECT_FALSE(IsReleaseSpec("dspy-2.5.40"));
  EXPECT_FALSE(IsReleaseSpec("python:/usr/bin/python3"));
  ReleaseSpec spec = ParseReleaseSpec("DSPy >= 2.5.38, <2.6");
  EXPECT_EQ(spec.project, "dspy");
  EXPECT_EQ(spec.versions.ToString(), ">=2.5.38,<2.6");
  EXPECT_FALSE(spec.versions.IsExact());
  EXPECT_TRUE(ParseReleaseSpec("dspy==2.6.0").versions.IsExact());
  EXPECT_FALSE(ParseReleaseSpec("dspy==2.6.*").versions.IsExact());
  EXPECT_TRUE(ParseReleaseSpec("dspy>=2.6.0rc1").versions.MentionsPreRelease());
  EXPECT_THROW(ParseReleaseSpec("==2.6.0"), VersionError);
  EXPECT_THROW(ParseReleaseSpec("dspy==two"), VersionError);
}

TEST(ChoosePythonVersionTest, ElevenWhereAllowedElseTheNearest) {
  EXPECT_EQ(ChoosePythonVersion(">=3.9"), "3.11");
  EXPECT_EQ(ChoosePythonVersion("<3.16,>=3.10"), "3.11");
  EXPECT_EQ(ChoosePythonVersion(""), "3.11");
  EXPECT_EQ(ChoosePythonVersion(">=3.12"), "3.12");
  EXPECT_EQ(ChoosePythonVersion("<3.11,>=3.9"), "3.10");
  EXPECT_THROW(ChoosePythonVersion(">=4"), VersionError);
  EXPECT_THROW(ChoosePythonVersion("latest"), VersionError);
}

}  // namespace
}  // namespace dspy_compat
