// A damaged environment cache (issue 16): a file deleted inside a
// provisioned venv is found before any run imports it. The run provisions
// the environment again, or, when it cannot, says in one line which file is
// missing (exit 3); never an abort, never a pass. Each test works on its own
// copy of a provisioned environment (--cache-dir), never on the shared cache.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/sha256.h"
#include "e2e_fixture.h"
#include "results/results_file.h"
#include "targets/environment_cache.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;
using e2e::Invocation;
using e2e::kRoot;
using e2e::ReadText;

constexpr const char* kTarget = "dspy-2.5.39";
constexpr const char* kDeleted = "lib/python3.11/site-packages/dspy/__init__.py";

class DamagedEnvE2eTest : public e2e::E2eTest {
 protected:
  // A copy of the shared cache's environment of kTarget under out_/cache,
  // with kDeleted removed from it. Skips when the shared cache lacks it
  // (the test command provisions it first).
  void DamagedCopy() {
    std::string lock_hash =
        Sha256Hex(ReadText(kRoot / "fixtures/targets" / kTarget / "requirements.lock"));
    std::string name = std::string(kTarget) + "-" + lock_hash.substr(0, 16);
    fs::path shared = EnvironmentCache::DefaultRoot() / "envs" / name;
    if (!fs::exists(shared / "dspy-compat-files.txt")) {
      GTEST_SKIP() << shared << " is not provisioned (dspy-compat envs sync)";
    }
    cache_ = out_ / "cache";
    env_ = cache_ / "envs" / name;
    fs::create_directories(env_.parent_path());
    fs::copy(shared, env_, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    ASSERT_TRUE(fs::remove(env_ / kDeleted)) << env_ / kDeleted;
  }

  Invocation RunOnce(const std::map<std::string, std::string>& extra_env = {}) {
    return Run(
        {"run", "--targets", kTarget, "--cache-dir", cache_.string(), "--out",
         (out_ / "o").string(), "--scenarios", (kRoot / "scenarios/issue1867_single.py").string()},
        extra_env);
  }

  fs::path cache_;
  fs::path env_;
};

// With the installer's caches at hand (or the network), the environment is
// provisioned again and the session runs as if nothing had happened.
TEST_F(DamagedEnvE2eTest, ADeletedFileIsNamedAndTheEnvironmentProvisionedAgain) {
  DamagedCopy();
  if (IsSkipped()) return;
  Invocation inv = RunOnce();
  ASSERT_EQ(inv.exit_code, 0) << inv.output;
  EXPECT_NE(inv.output.find(fmt::format("{}: the cached environment {} is damaged ({} is missing); "
                                        "provisioning it again",
                                        kTarget, env_.string(), kDeleted)),
            std::string::npos)
      << inv.output;
  EXPECT_TRUE(fs::exists(env_ / kDeleted));
  Results results = ReadResultsFile(out_ / "o" / "results.json");
  ASSERT_FALSE(results.runs.empty());
  for (const RunResult& run : results.runs) {
    EXPECT_EQ(run.status, Status::kPass) << run.run_id << ": " << run.error_message;
    EXPECT_EQ(run.dspy_version, "2.5.39");
  }
}

// Offline, with empty installer caches: provisioning again fails, and the
// error is one line naming the missing file, exit 3, no run recorded at all.
TEST_F(DamagedEnvE2eTest, ADeletedFileThatCannotBeReplacedIsOneLineAndExit3) {
  DamagedCopy();
  if (IsSkipped()) return;
  Invocation inv = RunOnce({{"UV_OFFLINE", "1"},
                            {"UV_CACHE_DIR", (out_ / "empty-uv-cache").string()},
                            {"PIP_NO_INDEX", "1"},
                            {"PIP_CACHE_DIR", (out_ / "empty-pip-cache").string()}});
  EXPECT_EQ(inv.exit_code, 3) << inv.output;
  std::vector<std::string> errors;
  std::istringstream lines(inv.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("dspy-compat: ")) errors.push_back(line);
  }
  ASSERT_EQ(errors.size(), 1u) << inv.output;
  EXPECT_NE(errors[0].find(fmt::format("target {}: could not install", kTarget)), std::string::npos)
      << errors[0];
  EXPECT_NE(errors[0].find(fmt::format("was damaged: {} is missing)", kDeleted)), std::string::npos)
      << errors[0];
  // Never a pass: no results file claims a run.
  fs::path results = out_ / "o" / "results.json";
  if (fs::exists(results)) {
    EXPECT_TRUE(ReadResultsFile(results).runs.empty());
  }
}

}  // namespace
}  // namespace dspy_compat
