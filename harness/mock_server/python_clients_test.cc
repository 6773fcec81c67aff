// End-to-end: the real openai client, litellm and DSPy (2.5.40 and a current 3.x release) against
// the mock server, non-streaming and streaming (testdata/python_clients_check.py does the
// calling), and the #1867 interleaving forced by a fixture on 2.5.39 and 2.5.40. The environments
// are provisioned into the harness's cache like any target, so this works on a fresh machine; the
// test skips only when the package registry cannot be reached.
#include <curl/curl.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mock_server/fixtures.h"
#include "mock_server/server.h"
#include "mock_server/test_data.h"
#include "process/subprocess.h"
#include "targets/environment_cache.h"
#include "targets/target_definition.h"
#include "test_support/source_tree.h"

namespace dspy_compat::mock {
namespace {

namespace fs = std::filesystem;

const fs::path kTestData = mock::testing::TestDataDir();
const fs::path kSourceRoot = test_support::SourceRoot();

// Whether the package index answers at all (uv and pip use PyPI's simple API).
bool RegistryReachable() {
  const char* configured = std::getenv("UV_INDEX_URL");
  if (!configured) configured = std::getenv("PIP_INDEX_URL");
  std::string url = configured ? configured : "https://pypi.org/simple/";
  CURL* curl = curl_easy_init();
  if (!curl) return false;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode code = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return code == CURLE_OK && status > 0 && status < 500;
}

// The target's environment from the harness cache, provisioned if needed; nullopt (with the
// reason) when the registry cannot be reached.
std::optional<Target> Provision(const fs::path& target_dir, std::string& skip_reason) {
  Target target = LoadTargetDefinition(target_dir);
  PythonEnvironmentBuilder builder;
  EnvironmentCache cache(EnvironmentCache::DefaultRoot(), builder);
  try {
    return cache.Sync(target, [](std::string_view line) { std::cerr << line << "\n"; });
  } catch (const ProvisionError& e) {
    if (!RegistryReachable()) {
      skip_reason = "the package registry is unreachable, so " + target.name +
                    " cannot be provisioned: " + e.what();
      return std::nullopt;
    }
    throw;
  }
}

// Only what the program needs: no provider keys, no proxies; loopback only.
std::map<std::string, std::string> ChildEnvironment(const fs::path& work) {
  return {{"PATH", "/usr/bin:/bin"},
          {"HOME", work.string()},
          {"TMPDIR", work.string()},
          {"DSPY_CACHEDIR", (work / "dspy_cache").string()},
          {"LITELLM_LOCAL_MODEL_COST_MAP", "True"},
          {"LITELLM_TELEMETRY", "False"},
          {"NO_PROXY", "127.0.0.1,localhost"},
          {"no_proxy", "127.0.0.1,localhost"},
          {"OPENAI_API_KEY", "sk-mock-not-a-key"},
          {"LANG", "C.UTF-8"}};
}

fs::path WorkDir(const std::string& name) {
  fs::path work = fs::temp_directory_path() /
                  ("dspy-compat-clients-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(work);
  return work;
}

struct Case {
  const char* name;
  fs::path target_dir;
  bool has_streamify;  // DSPy 3.x: dspy.streamify and acall
};

class PythonClientsTest : public ::testing::TestWithParam<Case> {};

TEST_P(PythonClientsTest, OpenAiLitellmAndDspyWorkUnchanged) {
  const Case& c = GetParam();
  std::string skip_reason;
  std::optional<Target> target;
  ASSERT_NO_THROW(target = Provision(c.target_dir, skip_reason));
  if (!target) GTEST_SKIP() << skip_reason;

  MockLmServer server(
      {.seed = 3, .fixtures = LoadFixtureFile(kTestData / "python_clients_rules.json")});
  server.Start();
  const std::string run_id = std::string("clients-") + c.name;
  fs::path work = WorkDir(run_id);

  ProcessSpec spec;
  spec.argv = {target->interpreter.string(), (kTestData / "python_clients_check.py").string(),
               server.BaseUrl(), run_id};
  spec.env = ChildEnvironment(work);
  spec.output_path = work / "output.log";
  spec.timeout = std::chrono::minutes(5);
  ProcessOutcome outcome = RunProcess(spec);
  std::string output = ReadFileTail(spec.output_path, 64 * 1024);
  ASSERT_TRUE(outcome.started) << outcome.start_error;
  EXPECT_FALSE(outcome.timed_out);
  EXPECT_EQ(outcome.exit_code, 0) << output;
  EXPECT_NE(output.find("all checks passed"), std::string::npos) << output;
  if (c.has_streamify) {
    EXPECT_NE(output.find("ok dspy streamify"), std::string::npos) << output;
  }

  // What the server saw agrees with what the clients got.
  int streamed = 0;
  int completions = 0;
  int limited = 0;
  bool saw_4o = false;
  for (const JournalEntry& e : server.journal().ForRun(run_id)) {
    streamed += e.stream ? 1 : 0;
    completions += e.path.ends_with("/v1/completions") ? 1 : 0;
    limited += e.rule == "rate-limited" && e.status == 429 ? 1 : 0;
    saw_4o = saw_4o || e.model == "gpt-4o";
  }
  EXPECT_GE(streamed, c.has_streamify ? 4 : 3);
  EXPECT_EQ(completions, 2);
  EXPECT_EQ(limited, 1);
  EXPECT_TRUE(saw_4o);
  EXPECT_GE(server.journal().CountForRun(run_id), 12U);
  if (!HasFailure()) fs::remove_all(work);
}

// The fixture fixtures/mock/issue1867-interleave.json forces the interleaving of
// stanfordnlp/dspy#1867: every run of the pattern fails on 2.5.40 and passes on 2.5.39.
TEST(Issue1867InterleaveTest, TheFixtureMakesTheRaceCertain) {
  std::string skip_reason;
  std::optional<Target> old_release;
  std::optional<Target> new_release;
  ASSERT_NO_THROW(old_release =
                      Provision(kSourceRoot / "fixtures" / "targets" / "dspy-2.5.39", skip_reason));
  ASSERT_NO_THROW(new_release =
                      Provision(kSourceRoot / "fixtures" / "targets" / "dspy-2.5.40", skip_reason));
  if (!old_release || !new_release) GTEST_SKIP() << skip_reason;

  MockLmServer server({.fixtures = LoadFixtureFile(kSourceRoot / "fixtures" / "mock" /
                                                   "issue1867-interleave.json")});
  server.Start();
  fs::path work = WorkDir("issue1867");
  for (int repetition = 1; repetition <= 3; ++repetition) {
    for (const Target* target : {&*old_release, &*new_release}) {
      const std::string run_id = target->name + "-" + std::to_string(repetition);
      ProcessSpec spec;
      spec.argv = {target->interpreter.string(), (kTestData / "issue1867_interleave.py").string(),
                   server.RunApiBase(run_id)};
      spec.env = ChildEnvironment(work);
      spec.output_path = work / (run_id + ".log");
      spec.timeout = std::chrono::minutes(2);
      ProcessOutcome outcome = RunProcess(spec);
      std::string output = ReadFileTail(spec.output_path, 16 * 1024);
      if (target == &*old_release) {
        EXPECT_EQ(outcome.exit_code, 0) << run_id << ":\n" << output;
        EXPECT_NE(output.find("second-call: ok"), std::string::npos) << output;
      } else {
        EXPECT_EQ(outcome.exit_code, 1) << run_id << ":\n" << output;
        EXPECT_NE(output.find("second-call: AssertionError: No LM is loaded."), std::string::npos)
            << output;
      }
      // The second call's first answer was held until the first call's summary went out.
      std::vector<JournalEntry> entries = server.journal().ForRun(run_id);
      ASSERT_GE(entries.size(), 3U) << run_id;
      EXPECT_EQ(entries[0].rule, "first-call-answer");
      EXPECT_EQ(entries[1].rule, "first-call-summary");
      EXPECT_EQ(entries[2].rule, "second-call-answer");
      EXPECT_TRUE(entries[2].faults.empty()) << "the hold timed out in " << run_id;
    }
  }
  if (!HasFailure()) fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(
    Releases, PythonClientsTest,
    ::testing::Values(Case{"dspy_2_5_40", kSourceRoot / "fixtures" / "targets" / "dspy-2.5.40",
                           false},
                      Case{"dspy_3_4_1", kTestData / "clients-dspy-3.4.1", true}),
    [](const ::testing::TestParamInfo<Case>& param) { return std::string(param.param.name); });

}  // namespace
}  // namespace dspy_compat::mock
