#include "results/results_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Results SampleResults() {
  Results results;
  RunEnvironment& e = results.environment;
  e.harness_version = "0.1.0";
  e.seed = 18446744073709551615ULL;  // the full uint64 range survives JSON
  e.command_line = "dspy-compat run --repeat 2 scenarios/";
  e.started_at = "2024-11-27T10:00:00Z";
  e.finished_at = "2024-11-27T10:01:30Z";
  e.interrupted = true;
  e.jobs = 2;
  e.repeat = 2;
  e.planned_runs = 4;
  e.cache_policy = "fresh DSPY_CACHEDIR per run";
  e.targets = {{"dspy-2.5.39", "locked", "2.5.39", "3.11", "abc123", "/envs/a/bin/python"},
               {"python:/usr/bin/python3", "python", "2.5.40", "3.11", "", "/usr/bin/python3"}};
  e.scenarios = {"asyncify_in_context"};
  e.scenario_summaries = {{"asyncify_in_context", "asyncify | inside dspy.context"}};
  ScenarioInfo info;
  info.path = "scenarios/asyncify_in_context.py";
  info.exercises = "dspy.context around asyncify";
  info.migration_of = "asyncify_in_module";
  info.excerpt = "with dspy.context(lm=lm):\n    ...\n    await program()\n";
  info.expected = {{"dspy-2.5.39", Expectation::kPass},
                   {"python:/usr/bin/python3", Expectation::kFailOrFlaky}};
  info.expect_lines = {"pass", "fail-or-flaky on dspy>=2.5.40"};
  e.scenario_info = {{"asyncify_in_context", info}};
  e.shard = ShardInfo{2, 3};
  e.merged_shards = {{1, 3}, {3, 3}};

  RunResult pass;
  pass.scenario_id = "asyncify_in_context";
  pass.target_name = "dspy-2.5.39";
  pass.repetition = 1;
  pass.run_id = "r1";
  pass.status = Status::kPass;
  pass.dspy_version = "2.5.39";
  pass.wall_seconds = 1.25;
  pass.scenario_seconds = 0.1 + 0.2;  // not exactly representable; must round-trip anyway
  pass.lm_calls = 3;
  pass.lm_requests = 3;
  pass.models = {"openai/mock-a", "openai/mock-b"};
  pass.exit_code = 0;
  pass.lm_traffic = LmTraffic{
      {"chat"}, {"max_tokens=1000", "temperature=0.0"}, {"0123abcd"}, {"system:\nAnswer.\n"}, {}};
  pass.lm_traffic->routes = {{"00112233aabbccdd", "question: Why?", {"mock-a", "mock-b"}, 2}};
  pass.settings_after = SettingsAfter{"mock-a", "ChatAdapter", {"lm"}, {}};

  RunResult fail = pass;
  fail.target_name = "python:/usr/bin/python3";
  fail.run_id = "r2";
  fail.status = Status::kFail;
  fail.error_type = "AssertionError";
  fail.error_message = "No LM is loaded.";
  fail.traceback = "Traceback (most recent call last):\n  ...\nAssertionError: No LM is loaded.";
  fail.exit_code = 1;
  fail.output_tail = "\xc3\xa9t\xc3\xa9\n";

  RunResult timeout = pass;
  timeout.run_id = "r3";
  timeout.status = Status::kTimeout;
  timeout.exit_code.reset();
  timeout.term_signal = 9;
  timeout.models.clear();
  timeout.lm_traffic.reset();

  results.runs = {pass, fail, timeout};
  return results;
}

void ExpectSame(const Results& a, const Results& b) {
  // Comparing the JSON covers every field, and stays right when fields are added.
  EXPECT_EQ(ToJson(a), ToJson(b));
  ASSERT_EQ(a.runs.size(), b.runs.size());
  EXPECT_EQ(a.environment.seed, b.environment.seed);
  if (a.runs.size() < 3) return;
  EXPECT_EQ(a.runs[1].status, b.runs[1].status);
  EXPECT_EQ(a.runs[0].scenario_seconds, b.runs[0].scenario_seconds);
  EXPECT_EQ(a.runs[2].term_signal, b.runs[2].term_signal);
  EXPECT_FALSE(b.runs[2].exit_code.has_value());
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "results_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  void WriteText(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }

  fs::path dir_;
};

// Returns the ResultsFormatError message, or fails the test.
std::string FormatErrorOf(const json& j) {
  try {
    ResultsFromJson(j);
  } catch (const ResultsFormatError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    return message;
  }
  ADD_FAILURE() << "no ResultsFormatError for " << j.dump();
  return "";
}

TEST(ResultsJsonTest, RoundTripsEveryField) {
  Results original = SampleResults();
  json j = ToJson(original);
  EXPECT_EQ(j["schema"], "dspy-compat/results/v1");
  EXPECT_EQ(j["runs"][1]["status"], "fail");
  EXPECT_TRUE(j["runs"][2]["exit_code"].is_null());
  EXPECT_EQ(j["runs"][2]["term_signal"], 9);
  EXPECT_TRUE(j["environment"]["targets"].is_array());
  EXPECT_EQ(j["environment"]["targets"][1]["kind"], "python");
  EXPECT_EQ(j["environment"]["scenario_summaries"]["asyncify_in_context"],
            "asyncify | inside dspy.context");
  ExpectSame(original, ResultsFromJson(j));
  // And through text, as a file holds it.
  ExpectSame(original, ResultsFromJson(json::parse(j.dump())));
}

TEST(ResultsJsonTest, EmptyResultsRoundTrip) {
  Results empty;
  ExpectSame(empty, ResultsFromJson(ToJson(empty)));
}

TEST(ResultsJsonTest, MissingOptionalIntsReadAsAbsent) {
  json j = ToJson(SampleResults());
  j["runs"][0].erase("exit_code");
  j["runs"][0].erase("term_signal");
  Results read = ResultsFromJson(j);
  EXPECT_FALSE(read.runs[0].exit_code.has_value());
  EXPECT_FALSE(read.runs[0].term_signal.has_value());
}

TEST(ResultsJsonTest, NewFieldsRoundTrip) {
  Results read = ResultsFromJson(json::parse(ToJson(SampleResults()).dump()));
  const ScenarioInfo& info = read.environment.scenario_info.at("asyncify_in_context");
  EXPECT_EQ(info.migration_of, "asyncify_in_module");
  EXPECT_EQ(info.expected.at("python:/usr/bin/python3"), Expectation::kFailOrFlaky);
  EXPECT_EQ(info.expect_lines.size(), 2u);
  ASSERT_TRUE(read.environment.shard.has_value());
  EXPECT_EQ(*read.environment.shard, (ShardInfo{2, 3}));
  EXPECT_EQ(read.environment.merged_shards.size(), 2u);
  ASSERT_TRUE(read.runs[0].lm_traffic.has_value());
  EXPECT_EQ(read.runs[0].lm_traffic->parameters[1], "temperature=0.0");
  EXPECT_FALSE(read.runs[2].lm_traffic.has_value());
  EXPECT_TRUE(ToJson(read)["runs"][2]["lm_traffic"].is_null());
}

TEST(ResultsJsonTest, V15AdditionsRoundTrip) {
  Results original = SampleResults();
  original.runs[1].status = Status::kUnresolved;
  original.environment.scenario_info["asyncify_in_context"].expected["dspy-2.5.39"] =
      Expectation::kBehaviourChange;
  json j = ToJson(original);
  EXPECT_EQ(j["runs"][1]["status"], "unresolved");
  EXPECT_EQ(j["runs"][0]["settings_after"]["lm"], "mock-a");
  EXPECT_EQ(j["runs"][0]["lm_traffic"]["routes"][0]["count"], 2);
  Results read = ResultsFromJson(json::parse(j.dump()));
  EXPECT_EQ(read.runs[1].status, Status::kUnresolved);
  ASSERT_TRUE(read.runs[0].settings_after.has_value());
  EXPECT_EQ(*read.runs[0].settings_after, *original.runs[0].settings_after);
  EXPECT_EQ(read.runs[0].lm_traffic->routes, original.runs[0].lm_traffic->routes);
  EXPECT_EQ(read.environment.scenario_info.at("asyncify_in_context").expected.at("dspy-2.5.39"),
            Expectation::kBehaviourChange);
}

// v1.12: a team's test carries its test id; a program writes none.
TEST(ResultsJsonTest, PytestNodeRoundTripsAndIsAbsentForPrograms) {
  Results original = SampleResults();
  original.environment.scenario_info["asyncify_in_context"].pytest_node =
      "tests/test_desk.py::TestB::test_c";
  json j = ToJson(original);
  EXPECT_EQ(j["environment"]["scenario_info"]["asyncify_in_context"]["pytest_node"],
            "tests/test_desk.py::TestB::test_c");
  Results read = ResultsFromJson(json::parse(j.dump()));
  EXPECT_EQ(read.environment.scenario_info.at("asyncify_in_context").pytest_node,
            "tests/test_desk.py::TestB::test_c");
  original.environment.scenario_info["asyncify_in_context"].pytest_node.clear();
  EXPECT_FALSE(ToJson(original)["environment"]["scenario_info"]["asyncify_in_context"].contains(
      "pytest_node"));
  j["environment"]["scenario_info"]["asyncify_in_context"]["pytest_node"] = 3;
  EXPECT_THROW(ResultsFromJson(j), ResultsFormatError);
}

// A v1.4 file has neither routes nor settings_after; it reads as before.
TEST(ResultsJsonTest, FilesWithoutTheV15AdditionsStillRead) {
  json j = ToJson(SampleResults());
  j["runs"][0]["lm_traffic"].erase("routes");
  for (auto& run : j["runs"]) run.erase("settings_after");
  Results read = ResultsFromJson(j);
  EXPECT_TRUE(read.runs[0].lm_traffic->routes.empty());
  EXPECT_FALSE(read.runs[0].settings_after.has_value());
}

TEST(ResultsJsonTest, RejectsMistypedRoutes) {
  json j = ToJson(SampleResults());
  j["runs"][0]["lm_traffic"]["routes"][0]["count"] = "two";
  EXPECT_EQ(FormatErrorOf(j),
            "runs[0].lm_traffic.routes[0].count: expected an integer, got string");
}

// A v1.0 file has none of the v1.1 additions; it stays readable.
TEST(ResultsJsonTest, FilesWithoutTheV11AdditionsStillRead) {
  json j = ToJson(SampleResults());
  for (const char* key : {"scenario_info", "shard", "merged_shards"}) j["environment"].erase(key);
  for (auto& run : j["runs"]) run.erase("lm_traffic");
  Results read = ResultsFromJson(j);
  EXPECT_TRUE(read.environment.scenario_info.empty());
  EXPECT_FALSE(read.environment.shard.has_value());
  EXPECT_TRUE(read.environment.merged_shards.empty());
  EXPECT_FALSE(read.runs[0].lm_traffic.has_value());
}

TEST(ResultsJsonTest, RejectsMalformedAdditions) {
  json j = ToJson(SampleResults());
  j["environment"]["scenario_info"]["asyncify_in_context"]["expected"]["dspy-2.5.39"] = "xfail";
  EXPECT_EQ(FormatErrorOf(j),
            "environment.scenario_info.asyncify_in_context.expected.dspy-2.5.39: unknown "
            "expectation \"xfail\" (expected pass, fail, flaky, fail-or-flaky, any or "
            "behaviour-change)");

  j = ToJson(SampleResults());
  j["environment"]["shard"] = {{"index", 4}, {"count", 3}};
  EXPECT_EQ(FormatErrorOf(j), "environment.shard: shard 4/3 is out of range");

  j = ToJson(SampleResults());
  j["runs"][0]["lm_traffic"]["adapters"] = "chat";
  EXPECT_EQ(FormatErrorOf(j), "runs[0].lm_traffic.adapters: expected an array, got string");
}

// A target's substitutions (issue 13, v1.5) round-trip; older files read as none.
TEST(ResultsJsonTest, SubstitutionsRoundTripAndAreOptional) {
  Results original = SampleResults();
  original.environment.targets[0].substitutions = {
      {"litellm", "1.51.0", "1.53.1", "not served; the nearest later release"}};
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.environment.targets[0].substitutions,
            original.environment.targets[0].substitutions);
  EXPECT_TRUE(read.environment.targets[1].substitutions.empty());

  json j = ToJson(original);
  j["environment"]["targets"][0].erase("substitutions");
  EXPECT_TRUE(ResultsFromJson(j).environment.targets[0].substitutions.empty());
  j["environment"]["targets"][0]["substitutions"] = {{{"package", "litellm"}}};
  EXPECT_EQ(FormatErrorOf(j), "environment.targets[0].substitutions[0].requested: missing");
}

// A target's project environment (issue 14, v1.13) round-trips; a file
// without it reads as no project, and a malformed one is named.
TEST(ResultsJsonTest, ProjectEnvironmentRoundTripsAndIsOptional) {
  Results original = SampleResults();
  original.environment.targets[0].project = ProjectEnvironmentInfo{
      .root = "/src/support_desk",
      .input_hash = std::string(64, 'a'),
      .requirements = {"dspy>=2.5.39,<2.6", "humanize>=4.9"},
      .installed = {"humanize==4.11.0", "pytest==8.3.4", "support-desk==0.1.0"},
      .added = {"pytest"},
      .note = ""};
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.environment.targets[0].project, original.environment.targets[0].project);
  EXPECT_FALSE(read.environment.targets[1].project.has_value());

  json j = ToJson(original);
  EXPECT_FALSE(j["environment"]["targets"][1].contains("project"));
  j["environment"]["targets"][0]["project"].erase("installed");
  EXPECT_EQ(FormatErrorOf(j), "environment.targets[0].project.installed: missing");
  j["environment"]["targets"][0]["project"] = "yes";
  EXPECT_EQ(FormatErrorOf(j), "environment.targets[0].project: expected an object, got string");
}

// How each run's interpreter started (issue 6); absent in older files.
TEST(ResultsJsonTest, StartModeRoundTripsAndIsOptional) {
  Results original = SampleResults();
  original.runs[0].start_mode = "warm";
  original.runs[1].start_mode = "cold (fallback: 2 threads alive after importing dspy)";
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.runs[0].start_mode, "warm");
  EXPECT_EQ(read.runs[1].start_mode, original.runs[1].start_mode);
  EXPECT_EQ(read.runs[2].start_mode, "");
  json j = ToJson(original);
  j["runs"][0].erase("start_mode");
  EXPECT_EQ(ResultsFromJson(j).runs[0].start_mode, "");
  j["runs"][1]["start_mode"] = 3;
  EXPECT_EQ(FormatErrorOf(j), "runs[1].start_mode: expected a string, got number");
}

// An exploring run's schedule (issue 12); absent for natural runs and in older files.
TEST(ResultsJsonTest, LmScheduleRoundTripsAndIsOptional) {
  Results original = SampleResults();
  original.runs[1].lm_schedule =
      LmSchedule{.strategy = "pct",
                 .seed = 0xfedcba9876543210ULL,  // beyond a double's exact integers
                 .depth = 3,
                 .steps = 32,
                 .quiet_ms = 80,
                 .replay = true,
                 .releases = {{"00000000000000ab", 2, false}, {"ffffffffffffffff", 1, true}}};
  json j = ToJson(original);
  EXPECT_TRUE(j["runs"][0]["lm_schedule"].is_null());
  EXPECT_EQ(j["runs"][1]["lm_schedule"]["releases"][1]["bound"], true);
  Results read = ResultsFromJson(json::parse(j.dump()));
  EXPECT_EQ(read.runs[1].lm_schedule, original.runs[1].lm_schedule);
  EXPECT_FALSE(read.runs[0].lm_schedule.has_value());

  json older = j;  // a v1.8 to v1.14 file: no quiet window recorded
  older["runs"][1]["lm_schedule"].erase("quiet_ms");
  EXPECT_EQ(ResultsFromJson(older).runs[1].lm_schedule->quiet_ms, 0);

  j["runs"][1].erase("lm_schedule");  // a v1.4 file
  EXPECT_FALSE(ResultsFromJson(j).runs[1].lm_schedule.has_value());

  j = ToJson(original);
  j["runs"][1]["lm_schedule"]["releases"][0]["seq"] = "2";
  EXPECT_EQ(FormatErrorOf(j),
            "runs[1].lm_schedule.releases[0].seq: expected an integer, got string");
  j = ToJson(original);
  j["runs"][1]["lm_schedule"].erase("strategy");
  EXPECT_EQ(FormatErrorOf(j), "runs[1].lm_schedule.strategy: missing");
}

// Containment (issue 7): names of passed and scrubbed variables, and what
// each run tried; absent in older files.
TEST(ResultsJsonTest, ContainmentRoundTripsAndIsOptional) {
  Results original = SampleResults();
  original.environment.passed_env = {"MY_SERVICE_URL"};
  original.environment.scrubbed_env = {"ANTHROPIC_API_KEY", "OPENAI_API_KEY"};
  original.runs[0].containment = "python-audit-hook+refusing-proxy";
  original.runs[0].containment_events = {
      {kBlockedConnection, "10.231.0.2", 8080, "socket.connect"},
      {"redirected-lm", "", std::nullopt, "anthropic/claude-3-5-sonnet"}};
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.environment.passed_env, original.environment.passed_env);
  EXPECT_EQ(read.environment.scrubbed_env, original.environment.scrubbed_env);
  EXPECT_EQ(read.runs[0].containment, "python-audit-hook+refusing-proxy");
  EXPECT_EQ(read.runs[0].containment_events, original.runs[0].containment_events);
  EXPECT_TRUE(read.runs[1].containment_events.empty());

  json j = ToJson(original);
  j["environment"].erase("scrubbed_env");
  j["runs"][0].erase("containment");
  j["runs"][0].erase("containment_events");
  Results old = ResultsFromJson(j);
  EXPECT_TRUE(old.environment.scrubbed_env.empty());
  EXPECT_EQ(old.runs[0].containment, "");
  EXPECT_TRUE(old.runs[0].containment_events.empty());

  j = ToJson(original);
  j["runs"][0]["containment_events"][0]["port"] = "8080";
  EXPECT_EQ(FormatErrorOf(j),
            "runs[0].containment_events[0].port: expected an integer or null, got string");
}

// v1.5: the knowledge files the reports used; absent in older files.
TEST(ResultsJsonTest, KnowledgeFilesRoundTripAndAreOptional) {
  Results original = SampleResults();
  original.environment.knowledge = {{"team.toml", std::string(64, 'a')},
                                    {"/src/fixtures/knowledge/dspy.toml", std::string(64, 'b')}};
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  ASSERT_EQ(read.environment.knowledge.size(), 2u);
  EXPECT_EQ(read.environment.knowledge[0].path, "team.toml");
  EXPECT_EQ(read.environment.knowledge[1].sha256, std::string(64, 'b'));

  json j = ToJson(original);
  j["environment"].erase("knowledge");
  EXPECT_TRUE(ResultsFromJson(j).environment.knowledge.empty());
  j["environment"]["knowledge"] = json::array({{{"path", "team.toml"}}});
  EXPECT_EQ(FormatErrorOf(j), "environment.knowledge[0].sha256: missing");
}

TEST(ResultsJsonTest, PlanAndSessionOptionsRoundTripAndAreOptional) {
  Results original = SampleResults();
  original.environment.plan =
      std::vector<PlannedRun>{{"a.x.r1", "a", "x", 1}, {"a.x.r2", "a", "x", 2}};
  original.environment.session_options = R"({"jobs":2,"targets":["x"]})";
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.environment.plan, original.environment.plan);
  EXPECT_EQ(json::parse(read.environment.session_options),
            json::parse(original.environment.session_options));

  json j = ToJson(original);
  j["environment"].erase("plan");
  j["environment"].erase("session_options");
  Results older = ResultsFromJson(j);  // v1.10 and before
  EXPECT_FALSE(older.environment.plan);
  EXPECT_TRUE(older.environment.session_options.empty());
  j["environment"]["plan"] = json::array({{{"run_id", "a.x.r1"}}});
  EXPECT_EQ(FormatErrorOf(j), "environment.plan[0].scenario_id: missing");
  j["environment"]["plan"] = json::array();
  j["environment"]["session_options"] = "text";
  EXPECT_NE(FormatErrorOf(j).find("environment.session_options"), std::string::npos);
}

TEST(ResultsJsonTest, ChangedCodeRoundTripsAndIsOptional) {
  Results original = SampleResults();
  EXPECT_FALSE(ToJson(original).contains("changed_code"));  // files without it are unchanged
  original.changed_code = {
      {"asyncify_in_context",
       "dspy-2.5.39",
       "dspy-2.5.40",
       "",
       120,
       7,
       31,
       {{"dsp/utils/settings.py", 40, 2, 40, 3, {41}, {40, 42}, {"-a", "+b"}, true}}},
      {"other",
       "dspy-2.5.39",
       "dspy-2.5.40",
       "the traced rerun on dspy-2.5.40 was an error",
       0,
       0,
       0,
       {}}};
  Results read = ResultsFromJson(json::parse(ToJson(original).dump()));
  EXPECT_EQ(read.changed_code, original.changed_code);

  json j = ToJson(original);
  j["changed_code"][0]["hunks"][0].erase("on_traceback");
  EXPECT_EQ(FormatErrorOf(j), "changed_code[0].hunks[0].on_traceback: missing");
  j = ToJson(original);
  j["changed_code"][0]["hunks"][0]["executed_new"] = json::array({0});
  EXPECT_EQ(FormatErrorOf(j),
            "changed_code[0].hunks[0].executed_new[0]: a line number is 1 or more");
  j = ToJson(original);
  j["changed_code"][1]["hunks_changed"] = -1;
  EXPECT_EQ(FormatErrorOf(j), "changed_code[1].hunks_changed: -1 is negative");
  j["changed_code"] = json::object();
  EXPECT_EQ(FormatErrorOf(j), "changed_code: expected an array, got object");
}

TEST(ResultsJsonTest, IgnoresUnknownKeys) {
  json j = ToJson(SampleResults());
  j["added_later"] = 1;
  j["runs"][0]["added_later"] = "x";
  EXPECT_NO_THROW(ResultsFromJson(j));
}

TEST(ResultsJsonTest, RejectsNonObject) {
  EXPECT_EQ(FormatErrorOf(json::array()), "results: expected an object, got array");
}

TEST(ResultsJsonTest, RejectsWrongSchema) {
  json j = ToJson(SampleResults());
  j["schema"] = "dspy-compat/results/v2";
  EXPECT_EQ(FormatErrorOf(j),
            "schema: expected \"dspy-compat/results/v1\", got \"dspy-compat/results/v2\"");
  j.erase("schema");
  EXPECT_EQ(FormatErrorOf(j), "schema: missing");
}

TEST(ResultsJsonTest, RejectsRunWithoutStatus) {
  json j = ToJson(SampleResults());
  j["runs"][2].erase("status");
  EXPECT_EQ(FormatErrorOf(j), "runs[2].status: missing");
}

TEST(ResultsJsonTest, RejectsUnknownStatus) {
  json j = ToJson(SampleResults());
  j["runs"][1]["status"] = "passed";
  EXPECT_EQ(FormatErrorOf(j),
            "runs[1].status: unknown status \"passed\" (expected pass, fail, timeout, crash, error "
            "or unresolved)");
}

TEST(ResultsJsonTest, RejectsMistypedFields) {
  json j = ToJson(SampleResults());
  j["runs"][0]["lm_calls"] = "3";
  EXPECT_EQ(FormatErrorOf(j), "runs[0].lm_calls: expected an integer, got string");

  j = ToJson(SampleResults());
  j["runs"][0]["exit_code"] = 1.5;
  EXPECT_EQ(FormatErrorOf(j), "runs[0].exit_code: expected an integer or null, got number");

  j = ToJson(SampleResults());
  j["environment"]["seed"] = -1;
  EXPECT_EQ(FormatErrorOf(j), "environment.seed: expected a non-negative integer, got number");

  j = ToJson(SampleResults());
  j["environment"]["jobs"] = 1LL << 40;
  EXPECT_EQ(FormatErrorOf(j), "environment.jobs: 1099511627776 is out of range");

  j = ToJson(SampleResults());
  j["environment"]["targets"][1].erase("lock_hash");
  EXPECT_EQ(FormatErrorOf(j), "environment.targets[1].lock_hash: missing");

  j = ToJson(SampleResults());
  j["environment"]["scenarios"][0] = 7;
  EXPECT_EQ(FormatErrorOf(j), "environment.scenarios[0]: expected a string, got number");

  j = ToJson(SampleResults());
  j["environment"]["scenario_summaries"]["asyncify_in_context"] = nullptr;
  EXPECT_EQ(FormatErrorOf(j),
            "environment.scenario_summaries.asyncify_in_context: expected a string, got null");

  j = ToJson(SampleResults());
  j["runs"] = json::object();
  EXPECT_EQ(FormatErrorOf(j), "runs: expected an array, got object");

  j = ToJson(SampleResults());
  j.erase("environment");
  EXPECT_EQ(FormatErrorOf(j), "environment: missing");
}

TEST_F(TempDir, WriteThenReadRoundTrips) {
  Results original = SampleResults();
  fs::path path = dir_ / "results.json";
  WriteResultsFile(path, original);
  ExpectSame(original, ReadResultsFile(path));
}

TEST_F(TempDir, WriteLeavesOnlyTheCompleteFile) {
  fs::path path = dir_ / "results.json";
  WriteText(path, "old contents, about to be replaced");
  Results original = SampleResults();
  WriteResultsFile(path, original);
  WriteResultsFile(path, original);  // replacing an existing file is the common case

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{"results.json"});

  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str().back(), '\n');
  EXPECT_EQ(json::parse(text.str()), ToJson(original));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::others_read, fs::perms::others_read);
}

TEST_F(TempDir, WriteReplacesInvalidUtf8InsteadOfFailing) {
  Results results = SampleResults();
  results.runs[0].output_tail = "cut mid-character \xc3";
  fs::path path = dir_ / "results.json";
  ASSERT_NO_THROW(WriteResultsFile(path, results));
  EXPECT_EQ(ReadResultsFile(path).runs[0].output_tail, "cut mid-character \xef\xbf\xbd");
}

TEST_F(TempDir, WriteIntoMissingFolderThrowsAndLeavesNothing) {
  EXPECT_THROW(WriteResultsFile(dir_ / "absent" / "results.json", SampleResults()),
               fs::filesystem_error);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(TempDir, ReadMissingFileNamesIt) {
  fs::path path = dir_ / "nope.json";
  try {
    ReadResultsFile(path);
    FAIL() << "no error";
  } catch (const ResultsFormatError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": cannot read: No such file or directory");
  }
}

TEST_F(TempDir, ReadRejectsNonJsonOnOneLine) {
  fs::path path = dir_ / "results.json";
  WriteText(path, "{\n  \"schema\": \"dspy-compat/results/v1\",\n  oops\n}\n");
  try {
    ReadResultsFile(path);
    FAIL() << "no error";
  } catch (const ResultsFormatError& e) {
    std::string message = e.what();
    EXPECT_EQ(message.rfind(path.string() + ": not valid JSON: parse error at line 3", 0), 0u)
        << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST_F(TempDir, ReadRejectsEmptyFile) {
  fs::path path = dir_ / "results.json";
  WriteText(path, "");
  EXPECT_THROW(ReadResultsFile(path), ResultsFormatError);
}

TEST_F(TempDir, ReadRejectsFolder) {
  try {
    ReadResultsFile(dir_);
    FAIL() << "no error";
  } catch (const ResultsFormatError& e) {
    EXPECT_EQ(std::string(e.what()), dir_.string() + ": cannot read: Is a directory");
  }
}

TEST_F(TempDir, ReadPrefixesValidationErrorsWithThePath) {
  fs::path path = dir_ / "results.json";
  json j = ToJson(SampleResults());
  j["runs"][0]["status"] = "PASS";
  WriteText(path, j.dump());
  try {
    ReadResultsFile(path);
    FAIL() << "no error";
  } catch (const ResultsFormatError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(path.string() + ": runs[0].status: unknown status", 0),
              0u)
        << e.what();
  }
}

}  // namespace
}  // namespace dspy_compat
