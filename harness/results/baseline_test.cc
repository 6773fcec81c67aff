#include "results/baseline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

RunResult Run(const std::string& scenario, const std::string& target, Status status,
              const std::string& message = "") {
  RunResult run;
  run.scenario_id = scenario;
  run.target_name = target;
  run.run_id = scenario + target + message + std::to_string(static_cast<int>(status));
  run.status = status;
  if (status != Status::kPass) {
    run.error_type = "AssertionError";
    run.error_message = message;
  }
  return run;
}

Results Sample() {
  Results results;
  results.environment.targets = {{"a", "locked", "1", "3.11", "", ""},
                                 {"b", "locked", "2", "3.11", "", ""}};
  results.runs = {Run("s", "a", Status::kPass), Run("s", "b", Status::kFail, "went to 15 calls"),
                  Run("s", "b", Status::kPass), Run("e", "a", Status::kError, "no python")};
  return results;
}

TEST(BaselineTest, NormalisesNumbersInSignatures) {
  EXPECT_EQ(NormalizeSignature("E: 15 calls at 0x7f3a"), "E: N calls at NxNfNa");
}

TEST(BaselineTest, FromResultsSkipsHarnessErrors) {
  Baseline baseline = BaselineFromResults(Sample());
  ASSERT_EQ(baseline.entries.size(), 2u);
  const BaselineEntry* b = baseline.Find("s", "b");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->outcome, Classification::kFlaky);
  EXPECT_EQ(b->runs, 2);
  EXPECT_EQ(b->failures, 1);
  EXPECT_EQ(b->signatures, (std::vector<std::string>{"AssertionError: went to N calls"}));
  EXPECT_EQ(baseline.Find("e", "a"), nullptr);
}

TEST(BaselineTest, UpdateReplacesOnlyWhatIsFresh) {
  Baseline old = BaselineFromResults(Sample());
  Baseline fresh;
  fresh.entries[{"s", "b"}] = {Classification::kPass, 3, 0, {}};
  fresh.entries[{"new", "a"}] = {Classification::kFail, 1, 1, {"X"}};
  Baseline updated = UpdateBaseline(old, fresh);
  EXPECT_EQ(updated.entries.size(), 3u);
  EXPECT_EQ(updated.Find("s", "b")->outcome, Classification::kPass);
  EXPECT_EQ(updated.Find("s", "a")->outcome, Classification::kPass);
}

TEST(BaselineTest, JsonRoundTripsAndIsSorted) {
  Baseline baseline = BaselineFromResults(Sample());
  nlohmann::json j = ToJson(baseline);
  EXPECT_EQ(j["schema"], "dspy-compat/baseline/v1");
  EXPECT_EQ(j["scenarios"]["s"]["b"]["outcome"], "flaky");
  Baseline read = BaselineFromJson(nlohmann::json::parse(j.dump()));
  EXPECT_EQ(ToJson(read), j);
}

TEST(BaselineTest, AResultsFileIsABaselineToo) {
  Baseline from_results = BaselineFromJson(ToJson(Sample()));
  EXPECT_EQ(ToJson(from_results), ToJson(BaselineFromResults(Sample())));
}

TEST(BaselineTest, MalformedBaselineIsOneLine) {
  auto message = [](const nlohmann::json& j) {
    try {
      BaselineFromJson(j);
    } catch (const BaselineFormatError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message({{"schema", "x"}}),
            "schema: expected \"dspy-compat/baseline/v1\" (or a results file), got \"x\"");
  nlohmann::json j = ToJson(BaselineFromResults(Sample()));
  j["scenarios"]["s"]["b"]["outcome"] = "passed";
  EXPECT_EQ(message(j), "scenarios.s.b.outcome: expected \"pass\", \"fail\" or \"flaky\"");
  j = ToJson(BaselineFromResults(Sample()));
  j["scenarios"]["s"]["b"].erase("runs");
  EXPECT_EQ(message(j), "scenarios.s.b.runs: missing");
  // A count is a whole number from 0 to a billion; nothing else passes, nor
  // wraps into range.
  for (const nlohmann::json& bad :
       {nlohmann::json(-1), nlohmann::json(1000000001), nlohmann::json(2.0), nlohmann::json("3"),
        nlohmann::json(18446744073709551615ULL)}) {
    j = ToJson(BaselineFromResults(Sample()));
    j["scenarios"]["s"]["b"]["failures"] = bad;
    EXPECT_EQ(message(j), "scenarios.s.b.failures: expected a count") << bad.dump();
  }
  j = ToJson(BaselineFromResults(Sample()));
  j["scenarios"]["s"]["b"]["failures"] = 1000000000;
  EXPECT_EQ(message(j), "no error");
}

TEST(BaselineTest, FileRoundTripAndUnreadableFile) {
  fs::path dir = fs::temp_directory_path() / ("baseline_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  Baseline baseline = BaselineFromResults(Sample());
  WriteBaselineFile(dir / "baseline.json", baseline);
  EXPECT_EQ(ToJson(ReadBaselineFile(dir / "baseline.json")), ToJson(baseline));
  std::ofstream(dir / "bad.json") << "{";
  try {
    ReadBaselineFile(dir / "bad.json");
    ADD_FAILURE();
  } catch (const BaselineFormatError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "bad.json").string() + ": not valid JSON");
  }
  EXPECT_THROW(ReadBaselineFile(dir / "missing.json"), BaselineFormatError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace dspy_compat
