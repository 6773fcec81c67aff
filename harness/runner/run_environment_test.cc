// The environment a run gets: allow-listed, keys as dummies, its own HOME
// and caches.
#include "runner/run_environment.h"

#include <gtest/gtest.h>

#include <string>

#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {

TEST(RunEnvironmentTest, SecretsDoNotPassAndCachesAreFresh) {
  std::map<std::string, std::string> parent{{"PATH", "/bin"},
                                            {"OPENAI_API_KEY", "sk-real"},
                                            {"ANTHROPIC_API_KEY", "sk-ant"},
                                            {"AWS_SECRET_ACCESS_KEY", "x"},
                                            {"HOME", "/root"}};
  auto env = BuildRunEnvironment(parent, "/w/run1", "http://127.0.0.1:1/run/r/v1");
  EXPECT_EQ(env["PATH"], "/bin");
  EXPECT_EQ(env["OPENAI_API_KEY"], kDummyApiKey);
  EXPECT_EQ(env["ANTHROPIC_API_KEY"], kDummyApiKey);
  EXPECT_EQ(env["AWS_SECRET_ACCESS_KEY"], kDummyApiKey);
  EXPECT_EQ(env["HOME"], "/w/run1/home");
  EXPECT_EQ(env["DSPY_CACHEDIR"], "/w/run1/dspy_cache");
  EXPECT_EQ(env["OPENAI_API_BASE"], "http://127.0.0.1:1/run/r/v1");
  // No C library thread pools: runs share the cores, and warm servers fork.
  EXPECT_EQ(env["OPENBLAS_NUM_THREADS"], "1");
}

// results.json's cache_policy and the runner's own result say the same, from
// one text (the runner is Python, so a test holds them together).
TEST(RunEnvironmentTest, RunnerReportsTheSameCachePolicy) {
  const std::string runner = test_support::ReadText(test_support::SourceRoot() / "target_runner" /
                                                    "dspy_compat_runner.py");
  EXPECT_NE(runner.find("\nCACHE_POLICY = \"" + std::string(kCachePolicy) + "\""),
            std::string::npos)
      << "target_runner/dspy_compat_runner.py's CACHE_POLICY differs from kCachePolicy";
}

}  // namespace
}  // namespace dspy_compat
