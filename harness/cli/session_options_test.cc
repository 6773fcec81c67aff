// The options a session records for `run --resume` and reads back.
#include "cli/session_options.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

TEST(SessionOptionsTest, ABadRecordNamesTheKey) {
  try {
    RunOptionsFromSessionJson(R"({"targets": 3})");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("session_options.targets"), std::string::npos) << e.what();
  }
}

// Every recorded option, each away from its default, comes back as it was,
// its paths absolute: an option the record forgets would fail here.
TEST(SessionOptionsTest, EveryRecordedOptionRoundTripsWithAbsolutePaths) {
  RunOptions o;
  o.targets = {"dspy-2.5.40", "dspy==2.6.0"};
  o.scenarios = {"scenarios/a.py", "/s/b"};
  o.repeat = 7;
  o.adaptive_repeat = "3..9";
  o.jobs = 3;
  o.timeout_seconds = 45;
  o.lm_delay = "10-20";
  o.seed = 18446744073709551615ULL;
  o.cache_dir = "cache";
  o.keep_work = true;
  o.memory_limit_mb = 1024;
  o.output_limit_mb = 0;
  o.cold = true;
  o.scrub = {"A", "X_*"};
  o.pass_env = {"HOME"};
  o.shard = "2/3";
  o.gate = true;
  o.gate_options.baseline = "base.json";
  o.gate_options.update_baseline = true;
  o.gate_options.strict_prompts = true;
  o.knowledge = {"/k1.toml", "k2.toml"};
  o.releases.pre = true;
  o.releases.index_url = "https://mirror.example/simple/";
  o.schedule = "pct";
  o.explore_quiet_ms = 150;
  o.replay = "/earlier/results.json:race.t1.r2";
  o.baseline_target = "dspy-2.5.40";
  o.project = "sample";
  o.no_changed_code = true;
  o.sandbox = "none";
  o.pass_home = true;
  const std::string recorded = SessionOptionsJson(o);
  RunOptions back = RunOptionsFromSessionJson(recorded);
  EXPECT_EQ(back.targets, o.targets);
  EXPECT_EQ(back.scenarios, (std::vector<fs::path>{fs::absolute("scenarios/a.py"), "/s/b"}));
  EXPECT_EQ(back.repeat, 7);
  EXPECT_EQ(back.adaptive_repeat, "3..9");
  EXPECT_EQ(back.jobs, 3);
  EXPECT_EQ(back.timeout_seconds, 45);
  EXPECT_EQ(back.lm_delay, "10-20");
  EXPECT_EQ(back.seed, o.seed);
  EXPECT_EQ(back.cache_dir, fs::absolute("cache"));
  EXPECT_TRUE(back.keep_work);
  EXPECT_EQ(back.memory_limit_mb, 1024);
  EXPECT_EQ(back.output_limit_mb, 0);
  EXPECT_TRUE(back.cold);
  EXPECT_EQ(back.scrub, o.scrub);
  EXPECT_EQ(back.pass_env, o.pass_env);
  EXPECT_EQ(back.shard, "2/3");
  EXPECT_TRUE(back.gate);
  EXPECT_EQ(back.gate_options.baseline, fs::absolute("base.json"));
  EXPECT_TRUE(back.gate_options.update_baseline);
  EXPECT_TRUE(back.gate_options.strict_prompts);
  EXPECT_EQ(back.knowledge, (std::vector<fs::path>{"/k1.toml", fs::absolute("k2.toml")}));
  EXPECT_TRUE(back.releases.pre);
  EXPECT_EQ(back.releases.index_url, "https://mirror.example/simple/");
  EXPECT_EQ(back.schedule, "pct");
  EXPECT_EQ(back.explore_quiet_ms, 150);
  EXPECT_EQ(back.replay, "/earlier/results.json:race.t1.r2");
  EXPECT_EQ(back.baseline_target, "dspy-2.5.40");
  EXPECT_EQ(back.project, fs::absolute("sample"));
  EXPECT_TRUE(back.no_changed_code);
  EXPECT_EQ(back.sandbox, "none");
  EXPECT_TRUE(back.pass_home);
  // Read back and recorded again, the record is the same.
  EXPECT_EQ(SessionOptionsJson(back), recorded);
  // A record from before run --project and --no-changed-code: neither.
  auto older = nlohmann::json::parse(recorded);
  older.erase("project");
  older.erase("no_changed_code");
  older.erase("sandbox");
  older.erase("pass_home");
  older.erase("explore_quiet_ms");
  const RunOptions old = RunOptionsFromSessionJson(older.dump());
  EXPECT_FALSE(old.project.has_value());
  EXPECT_FALSE(old.no_changed_code);
  EXPECT_EQ(old.sandbox, "auto");  // as before --sandbox was recorded
  EXPECT_FALSE(old.pass_home);
  EXPECT_EQ(old.explore_quiet_ms, RunOptions{}.explore_quiet_ms);
}

// The record's keys are what results v1.12 files hold: a renamed key would
// leave earlier sessions unresumable.
TEST(SessionOptionsTest, RecordsTheKeysEarlierSessionsHold) {
  const auto recorded = nlohmann::json::parse(SessionOptionsJson(RunOptions{}));
  std::vector<std::string> keys;
  for (const auto& [key, value] : recorded.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"adaptive_repeat",
                                            "baseline",
                                            "baseline_target",
                                            "cache_dir",
                                            "cold",
                                            "explore_quiet_ms",
                                            "gate",
                                            "index_url",
                                            "jobs",
                                            "keep_work",
                                            "knowledge",
                                            "lm_delay",
                                            "memory_limit_mb",
                                            "no_changed_code",
                                            "output_limit_mb",
                                            "pass_env",
                                            "pass_home",
                                            "pre",
                                            "project",
                                            "repeat",
                                            "replay",
                                            "sandbox",
                                            "scenarios",
                                            "schedule",
                                            "scrub",
                                            "seed",
                                            "shard",
                                            "strict_prompts",
                                            "targets",
                                            "timeout_seconds",
                                            "update_baseline"}));
  EXPECT_TRUE(recorded["repeat"].is_null());
  EXPECT_FALSE(RunOptionsFromSessionJson(recorded.dump()).repeat.has_value());
  EXPECT_TRUE(recorded["cache_dir"].is_null());
  EXPECT_EQ(recorded["memory_limit_mb"], 4096);
}

// A relative replay file is recorded absolute, its run id kept.
TEST(SessionOptionsTest, AReplaysFileIsRecordedAbsolute) {
  RunOptions o;
  o.replay = "out/results.json:s.t0.r1";
  EXPECT_EQ(RunOptionsFromSessionJson(SessionOptionsJson(o)).replay,
            fs::absolute("out/results.json").lexically_normal().string() + ":s.t0.r1");
}

TEST(SessionOptionsTest, ResumingTakesTheRecordsOptionsWithItsFolderSeedAndCommandLine) {
  RunOptions given;
  given.jobs = 5;
  Results recorded;
  recorded.environment.session_options = SessionOptionsJson(given);
  recorded.environment.seed = 99;
  recorded.environment.command_line = "dspy-compat run --jobs 5";
  RunOptions resumed = RunOptionsToResume(recorded, "/out");
  EXPECT_EQ(resumed.jobs, 5);
  EXPECT_EQ(resumed.out, fs::path("/out"));
  EXPECT_EQ(resumed.resume, fs::path("/out"));
  EXPECT_EQ(resumed.seed, 99u);
  EXPECT_EQ(resumed.command_line, "dspy-compat run --jobs 5");
  recorded.environment.session_options = R"({"targets": 3})";
  EXPECT_THROW(RunOptionsToResume(recorded, "/out"), std::runtime_error);
}

}  // namespace
}  // namespace dspy_compat
