// The exit codes of the commands that read results files (report, gate,
// merge), called in-process on small files. The codes CI relies on are
// documented in the README and in --help.
#include "cli/commands.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/exit_codes.h"
#include "core/sha256.h"
#include "results/baseline.h"
#include "results/results_file.h"
#include "test_support/source_tree.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

// Captures what a command writes to std::cout and std::cerr.
class Captured {
 public:
  Captured() : out_(std::cout.rdbuf(out_text_.rdbuf())), err_(std::cerr.rdbuf(err_text_.rdbuf())) {}
  ~Captured() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  std::string out() const { return out_text_.str(); }
  std::string err() const { return err_text_.str(); }

 private:
  std::ostringstream out_text_, err_text_;
  std::streambuf* out_;
  std::streambuf* err_;
};

RunResult Run(const std::string& scenario, const std::string& target, Status status, int rep) {
  RunResult run;
  run.scenario_id = scenario;
  run.target_name = target;
  run.repetition = rep;
  run.run_id = scenario + ".t" + target + ".r" + std::to_string(rep);
  run.status = status;
  if (status == Status::kFail) {
    run.error_type = "AssertionError";
    run.error_message = "No LM is loaded.";
  }
  return run;
}

// "s" passes on both targets; "r" regresses on the second.
Results Session() {
  Results r;
  r.environment.seed = 5;
  r.environment.targets = {{"a", "locked", "2.5.39", "3.11", "h1", "/a"},
                           {"b", "locked", "2.5.40", "3.11", "h2", "/b"}};
  r.environment.scenarios = {"s", "r"};
  for (int rep = 1; rep <= 2; ++rep) {
    r.runs.push_back(Run("s", "a", Status::kPass, rep));
    r.runs.push_back(Run("s", "b", Status::kPass, rep));
    r.runs.push_back(Run("r", "a", Status::kPass, rep));
    r.runs.push_back(Run("r", "b", Status::kFail, rep));
  }
  r.environment.planned_runs = static_cast<int>(r.runs.size());
  return r;
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("commands_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const Results& results) {
    WriteResultsFile(dir_ / name, results);
    return dir_ / name;
  }
  fs::path dir_;
};

TEST_F(CommandsTest, ReportOfAMalformedResultsFileIsExit2WithOneLine) {
  std::ofstream(dir_ / "bad.json") << R"({"schema": "dspy-compat/results/v1", "environment": {}})";
  ReportOptions options;
  options.results = dir_ / "bad.json";
  Captured captured;
  EXPECT_EQ(ReportCommand(options), kExitUsage);
  EXPECT_EQ(captured.err(), "dspy-compat: " + (dir_ / "bad.json").string() +
                                ": environment.harness_version: missing\n");
  EXPECT_EQ(captured.out(), "");
}

TEST_F(CommandsTest, ReportRendersEveryFormat) {
  for (const char* format : {"md", "html", "json", "junit"}) {
    ReportOptions options;
    options.results = Write("results.json", Session());
    options.format = format;
    options.output = dir_ / (std::string("report.") + format);
    Captured captured;
    EXPECT_EQ(ReportCommand(options), kExitOk) << format << captured.err();
    EXPECT_GT(fs::file_size(*options.output), 100u) << format;
  }
}

// A team's own knowledge (--knowledge FILE) explains a regression the
// bundled file does not know, and results.json says which files were used.
TEST_F(CommandsTest, ReportWithTeamKnowledgeExplainsTheRegression) {
  Results session = Session();
  for (RunResult& run : session.runs) {
    if (run.status != Status::kFail) continue;
    run.error_type = "KeyError";
    run.error_message = "'cache_key'";
  }
  const fs::path team = dir_ / "team.toml";
  std::ofstream(team) << R"(schema = "dspy-compat/knowledge/v1"
[[change]]
id = "acme-cache-key"
signature = "^KeyError: 'cache_key'"
since = "2.5.40"
title = "ACME's cache wrapper reads a key DSPy 2.5.40 no longer passes"
change = "DSPy 2.5.40 stopped passing `cache_key` to LM wrappers."
cause = "the `cache_key` DSPy 2.5.40 no longer passes"
root_cause = "acme/llm_cache.py indexes kwargs with 'cache_key'."
remediation = "Read it with `kwargs.get('cache_key')` in acme/llm_cache.py."
)";
  ReportOptions options;
  options.results = Write("results.json", session);
  std::string without;
  {
    Captured captured;
    ASSERT_EQ(ReportCommand(options), kExitOk) << captured.err();
    without = captured.out();
  }
  EXPECT_EQ(without.find("ACME's cache wrapper"), std::string::npos) << without;
  options.knowledge = {team};
  std::string with;
  {
    Captured captured;
    ASSERT_EQ(ReportCommand(options), kExitOk) << captured.err();
    with = captured.out();
  }
  EXPECT_NE(with.find("ACME's cache wrapper reads a key DSPy 2.5.40 no longer passes"),
            std::string::npos)
      << with;
  EXPECT_NE(with.find("`kwargs.get('cache_key')`"), std::string::npos) << with;
  EXPECT_NE(with.find("the `cache_key` DSPy 2.5.40 no longer passes"), std::string::npos) << with;

  options.format = "json";
  Captured captured;
  ASSERT_EQ(ReportCommand(options), kExitOk) << captured.err();
  const Results rendered = ResultsFromJson(nlohmann::json::parse(captured.out()));
  ASSERT_EQ(rendered.environment.knowledge.size(), 2u);
  EXPECT_EQ(rendered.environment.knowledge[0].path, team.string());
  EXPECT_EQ(rendered.environment.knowledge[0].sha256, Sha256Hex(test_support::ReadText(team)));
  EXPECT_NE(rendered.environment.knowledge[1].path.find("fixtures/knowledge/dspy.toml"),
            std::string::npos);
}

TEST_F(CommandsTest, MalformedKnowledgeFileIsExit2NamingFileAndKey) {
  const fs::path team = dir_ / "team.toml";
  std::ofstream(team) << "schema = \"dspy-compat/knowledge/v1\"\n[[change]]\nid = \"x\"\n";
  ReportOptions options;
  options.results = Write("results.json", Session());
  options.knowledge = {team};
  Captured captured;
  EXPECT_EQ(ReportCommand(options), kExitUsage);
  EXPECT_EQ(captured.err(), "dspy-compat: " + team.string() +
                                ": change[0] (id \"x\").signature: missing (a non-empty string)\n");
  EXPECT_EQ(captured.out(), "");
}

TEST_F(CommandsTest, GateExitCodes) {
  GateOptions options;
  options.results = Write("regressed.json", Session());
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitRegression);
    EXPECT_NE(captured.out().find("REGRESSION       r on b:"), std::string::npos) << captured.out();
  }
  Results accepted = Session();
  accepted.environment.scenario_info["r"].expected["b"] = Expectation::kFailOrFlaky;
  options.results = Write("accepted.json", accepted);
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitOk) << captured.out();
  }
  Results errored = Session();
  errored.runs[1].status = Status::kError;
  errored.runs[3].status = Status::kFail;
  options.results = Write("errored.json", errored);
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitInfrastructure) << captured.out();
    EXPECT_NE(captured.out().find("gate INCONCLUSIVE"), std::string::npos) << captured.out();
  }
  options.results = dir_ / "missing.json";
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitUsage);
  }
}

TEST_F(CommandsTest, BaselineAcceptsTodaysFailuresAndCatchesTomorrowsNewOnes) {
  GateOptions options;
  options.results = Write("today.json", Session());
  options.baseline = dir_ / "baseline.json";
  options.update_baseline = true;
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitOk) << captured.err();
  }
  EXPECT_EQ(ReadBaselineFile(dir_ / "baseline.json").entries.size(), 4u);
  options.update_baseline = false;
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitOk) << captured.out();
  }
  Results tomorrow = Session();
  tomorrow.runs[0].status = Status::kFail;  // "s" on "a" now fails
  options.results = Write("tomorrow.json", tomorrow);
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitRegression) << captured.out();
  }
}

TEST_F(CommandsTest, GateUsageErrors) {
  GateOptions options;
  options.results = Write("results.json", Session());
  options.update_baseline = true;
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitUsage);
    EXPECT_EQ(captured.err(),
              "dspy-compat: --update-baseline needs --baseline FILE (the file to write)\n");
  }
  options.update_baseline = false;
  options.baseline = dir_ / "no-baseline.json";
  {
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitUsage);
    std::string err = captured.err();
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

// Issue 16: nulls, wrong types and huge values in a results file or a
// baseline given by the user are one line naming the file and the field, and
// exit 2, never an abort.
TEST_F(CommandsTest, WrongTypesAndHugeValuesInInputFilesAreOneLineExit2) {
  nlohmann::json good = ToJson(Session());
  struct Case {
    std::string pointer;
    nlohmann::json value;
    std::string field;
  };
  for (const Case& c : {Case{"/runs/0/scenario_seconds", nullptr, "runs[0].scenario_seconds"},
                        Case{"/runs/1/lm_calls", 1e300, "runs[1].lm_calls"},
                        Case{"/runs/2/repetition", 99999999999, "runs[2].repetition"},
                        Case{"/runs/3/exit_code", "0", "runs[3].exit_code"},
                        Case{"/environment/seed", -1, "environment.seed"},
                        Case{"/environment/targets", nullptr, "environment.targets"},
                        Case{"/runs/0", nullptr, "runs[0]"}}) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(c.pointer)] = c.value;
    std::ofstream(dir_ / "bad.json") << bad.dump();
    for (bool as_baseline : {false, true}) {
      GateOptions options;
      options.results = as_baseline ? Write("results.json", Session()) : dir_ / "bad.json";
      if (as_baseline) options.baseline = dir_ / "bad.json";
      Captured captured;
      EXPECT_EQ(GateCommand(options), kExitUsage) << c.pointer;
      std::string err = captured.err();
      EXPECT_EQ(err.rfind("dspy-compat: " + (dir_ / "bad.json").string() + ": " + c.field, 0), 0u)
          << err;
      EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    }
  }
  // 1e999 overflows a double: nlohmann throws out_of_range.406, no parse_error.
  std::string text = good.dump();
  text.replace(text.find("\"wall_seconds\":0.0"), 18, "\"wall_seconds\":1e999");
  std::ofstream(dir_ / "huge.json") << text;
  GateOptions huge;
  huge.results = dir_ / "huge.json";
  {
    Captured captured;
    EXPECT_EQ(GateCommand(huge), kExitUsage);
    EXPECT_NE(captured.err().find("huge.json: not valid JSON: number overflow"), std::string::npos)
        << captured.err();
  }
  for (const char* baseline :
       {R"({"schema": "dspy-compat/baseline/v1", "scenarios": {"s": {"a": {"outcome": "pass",
            "runs": 18446744073709551615, "failures": 0, "signatures": []}}}})",
        R"({"schema": "dspy-compat/baseline/v1", "scenarios": {"s": {"a": {"outcome": null,
            "runs": 1, "failures": 0, "signatures": []}}}})",
        R"({"schema": "dspy-compat/baseline/v1", "scenarios": {"s\n2": {"a": {"outcome": "x"}}}})",
        R"({"schema": null})", "[1e999]"}) {
    std::ofstream(dir_ / "baseline.json") << baseline;
    GateOptions options;
    options.results = Write("results.json", Session());
    options.baseline = dir_ / "baseline.json";
    Captured captured;
    EXPECT_EQ(GateCommand(options), kExitUsage) << baseline;
    std::string err = captured.err();
    EXPECT_EQ(err.rfind("dspy-compat: " + (dir_ / "baseline.json").string() + ": ", 0), 0u) << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  }
}

TEST_F(CommandsTest, MergeWritesOneSessionAndRefusesMismatchedShards) {
  Results whole = Session();
  Results one = whole, two = whole;
  one.runs.clear();
  two.runs.clear();
  for (std::size_t i = 0; i < whole.runs.size(); ++i) {
    (i % 2 == 0 ? one : two).runs.push_back(whole.runs[i]);
  }
  one.environment.shard = ShardInfo{1, 2};
  two.environment.shard = ShardInfo{2, 2};
  one.environment.planned_runs = two.environment.planned_runs = 4;
  MergeOptions options;
  options.inputs = {Write("one.json", one), Write("two.json", two)};
  options.out = dir_ / "merged";
  {
    Captured captured;
    EXPECT_EQ(MergeCommand(options), kExitOk) << captured.err();
  }
  Results merged = ReadResultsFile(dir_ / "merged" / "results.json");
  EXPECT_EQ(merged.runs.size(), whole.runs.size());
  for (const char* file : {"report.md", "report.html", "junit.xml"}) {
    EXPECT_TRUE(fs::exists(dir_ / "merged" / file)) << file;
  }
  two.environment.seed = 6;
  options.inputs = {Write("one.json", one), Write("two.json", two)};
  {
    Captured captured;
    EXPECT_EQ(MergeCommand(options), kExitUsage);
    EXPECT_EQ(captured.err(),
              "dspy-compat: cannot merge: shard 2/2 ran with seed 6, shard 1/2 with seed 5; give "
              "every shard the same --seed\n");
  }
}

}  // namespace
}  // namespace dspy_compat
