// End-to-end: DSPy releases given by version, resolved from the real
// registry (its PEP 691 index and uv), as a user would have on release day.
#include <gtest/gtest.h>

#include <sstream>

#include "e2e_fixture.h"
#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

using e2e::kRoot;
using e2e::ReadText;
using e2e::RunsOf;

class ReleaseTargetsE2eTest : public e2e::E2eTest {};

// What uv resolved: the pins and hashes, without comment lines (they name
// the requirements file by the path uv was given).
std::string Pins(const fs::path& lock) {
  std::istringstream in(ReadText(lock));
  std::string pins;
  for (std::string line; std::getline(in, line);) {
    auto start = line.find_first_not_of(' ');
    if (start != std::string::npos && line[start] != '#') pins += line + "\n";
  }
  return pins;
}

TEST_F(ReleaseTargetsE2eTest, ATargetGivenOnlyByVersionRunsAScenario) {
  auto inv = Run({"run", "--targets", "dspy==2.6.0", "--repeat", "2", "--out", out_.string(),
                  "--scenarios", (kRoot / "scenarios/issue1867_single.py").string()});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  auto results = ReadResultsFile(out_ / "results.json");
  ASSERT_EQ(results.environment.targets.size(), 1u);
  const TargetInfo& target = results.environment.targets[0];
  EXPECT_EQ(target.name, "dspy-2.6.0");
  EXPECT_EQ(target.dspy_version, "2.6.0");
  EXPECT_EQ(target.python_version, "3.11");
  EXPECT_EQ(target.lock_hash.size(), 64u);
  EXPECT_TRUE(target.substitutions.empty());
  auto runs = RunsOf(results, "issue1867_single", "dspy-2.6.0");
  ASSERT_EQ(runs.size(), 2u);
  for (const auto& r : runs) {
    EXPECT_EQ(r.status, Status::kPass) << r.error_type << " " << r.error_message;
    EXPECT_EQ(r.dspy_version, "2.6.0");
  }
}

TEST_F(ReleaseTargetsE2eTest, AVersionTheRegistryDoesNotHaveIsOneLineAndExit3) {
  auto inv = Run({"run", "--targets", "dspy==2.5.99", "--out", out_.string(), "--scenarios",
                  (kRoot / "scenarios/issue1867_single.py").string()});
  EXPECT_EQ(inv.exit_code, 3) << inv.output;
  EXPECT_NE(inv.output.find("dspy==2.5.99: https://pypi.org/simple/ has no release dspy==2.5.99"),
            std::string::npos)
      << inv.output;
  EXPECT_FALSE(fs::exists(out_ / "results.json"));
}

// Locking 2.5.40 by its version reproduces the shipped lock, the litellm
// substitution included, and records it.
TEST_F(ReleaseTargetsE2eTest, LockingAShippedReleaseReproducesItsLockAndSubstitution) {
  auto inv = Run({"envs", "lock", "dspy==2.5.40", "--into", out_.string()});
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_NE(inv.output.find("substitution: litellm==1.53.1 instead of litellm==1.51.0"),
            std::string::npos)
      << inv.output;
  std::string toml = ReadText(out_ / "dspy-2.5.40" / "target.toml");
  EXPECT_NE(toml.find("[[substitutions]]"), std::string::npos) << toml;
  EXPECT_NE(toml.find("exclude_newer = \"2024-11-27T00:00:00Z\""), std::string::npos) << toml;
  EXPECT_EQ(Pins(out_ / "dspy-2.5.40" / "requirements.lock"),
            Pins(kRoot / "fixtures/targets/dspy-2.5.40/requirements.lock"));
}

}  // namespace
}  // namespace dspy_compat
