#include "runner/changed_code.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDiff = R"({"schema": "dspy-compat/changed-code/v1",
  "files_compared": 120, "files_changed": 7, "hunks_changed": 31, "hunks": [
  {"file": "dspy/adapters/chat_adapter.py", "old_start": 10, "old_lines": 1, "new_start": 10,
   "new_lines": 2, "executed_old": [10], "executed_new": [], "lines": ["-a", "+b", "+c"]},
  {"file": "dsp/utils/settings.py", "old_start": 40, "old_lines": 2, "new_start": 41,
   "new_lines": 0, "executed_old": [40, 41], "executed_new": [], "lines": ["-x", "-y"]},
  {"file": "dspy/predict/predict.py", "old_start": 5, "old_lines": 0, "new_start": 5,
   "new_lines": 1, "executed_old": [], "executed_new": [5], "lines": ["+z"]}]})";

constexpr const char* kTraceback = R"(Traceback (most recent call last):
  File "/work/scenarios/issue1867.py", line 30, in <module>
    asyncio.run(main())
  File "/cache/envs/dspy-2.5.40/lib/python3.11/site-packages/dspy/predict/predict.py", line 5, in forward
    assert lm is not None, "No LM is loaded."
AssertionError: No LM is loaded.
)";

TEST(ParseChangedCodeTest, ReadsTheDiffsCountsAndHunks) {
  ChangedCode c = ParseChangedCode(kDiff);
  EXPECT_EQ(c.files_compared, 120);
  EXPECT_EQ(c.files_changed, 7);
  EXPECT_EQ(c.hunks_changed, 31);
  ASSERT_EQ(c.hunks.size(), 3u);
  EXPECT_EQ(
      c.hunks[1],
      (ChangedHunk{"dsp/utils/settings.py", 40, 2, 41, 0, {40, 41}, {}, {"-x", "-y"}, false}));
}

TEST(ParseChangedCodeTest, RejectsWhatIsNotTheDiffsOutput) {
  EXPECT_THROW(ParseChangedCode("not json"), ChangedCodeError);
  EXPECT_THROW(ParseChangedCode(R"({"schema": "other"})"), ChangedCodeError);
  std::string bad = kDiff;
  bad.replace(bad.find("[40, 41]"), 8, "[0]");
  try {
    ParseChangedCode(bad);
    ADD_FAILURE() << "no error";
  } catch (const ChangedCodeError& e) {
    EXPECT_NE(std::string(e.what()).find("hunks[1].executed_old"), std::string::npos) << e.what();
  }
}

TEST(OrderByTracebackTest, HunksInTracebackFilesComeFirstOtherwiseInOrder) {
  std::vector<ChangedHunk> hunks = ParseChangedCode(kDiff).hunks;
  OrderByTraceback(hunks, kTraceback);
  ASSERT_EQ(hunks.size(), 3u);
  EXPECT_EQ(hunks[0].file, "dspy/predict/predict.py");
  EXPECT_TRUE(hunks[0].on_traceback);
  EXPECT_EQ(hunks[1].file, "dspy/adapters/chat_adapter.py");
  EXPECT_EQ(hunks[2].file, "dsp/utils/settings.py");
  EXPECT_FALSE(hunks[1].on_traceback);
}

TEST(OrderByTracebackTest, APathMustEndInTheWholeFileName) {
  std::vector<ChangedHunk> hunks(2);
  hunks[0].file = "dsp/utils/settings.py";
  hunks[1].file = "utils/settings.py";
  OrderByTraceback(hunks, "  File \"/x/mydsp/utils/settings.py\", line 1\n");
  EXPECT_EQ(hunks[0].file, "utils/settings.py");
  EXPECT_TRUE(hunks[0].on_traceback);
  EXPECT_FALSE(hunks[1].on_traceback);  // mydsp/ is not dsp/
  OrderByTraceback(hunks, "");
  EXPECT_FALSE(hunks[0].on_traceback || hunks[1].on_traceback);
}

// Plays the reruns and the diff: records what was asked, writes traces.
class FakeProbe : public ChangedCodeProbe {
 public:
  std::optional<RunResult> TracedRun(const RunSpec& spec, const std::atomic<bool>*) override {
    specs.push_back(spec);
    if (cancel_after && static_cast<int>(specs.size()) > *cancel_after) return std::nullopt;
    RunResult r;
    r.run_id = spec.run_id;
    r.target_name = spec.target.name;
    r.status = spec.target.name == "new" ? Status::kFail : Status::kPass;
    if (r.status == Status::kFail) r.traceback = traceback;
    if (spec.target.name != no_trace_on) std::ofstream(spec.trace_dspy) << "{}";
    return r;
  }
  std::string Diff(const Target& baseline, const Target& later, const fs::path& old_trace,
                   const fs::path& new_trace) override {
    diffs.push_back(baseline.name + ">" + later.name + ":" + old_trace.filename().string() + "," +
                    new_trace.filename().string());
    if (diff_error) throw ChangedCodeError("the changed-code diff failed (exit 2): boom");
    return kDiff;
  }
  std::vector<RunSpec> specs;
  std::vector<std::string> diffs;
  std::string traceback = kTraceback;
  std::string no_trace_on;
  std::optional<int> cancel_after;
  bool diff_error = false;
};

class FindChangedCodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_ = fs::temp_directory_path() / ("changed_code_test_" + std::to_string(::getpid()));
    fs::create_directories(work_);
    for (const char* name : {"old", "new"}) {
      Target t;
      t.name = name;
      targets_.push_back(t);
      results_.environment.targets.push_back(DescribeTarget(t));
    }
    options_.work = work_;
    options_.spec_for = [](const Scenario& s, const Target& t, std::size_t index) {
      RunSpec spec;
      spec.scenario = s;
      spec.target = t;
      spec.run_id = s.id + ".t" + std::to_string(index) + ".r1";
      return spec;
    };
  }
  void TearDown() override { fs::remove_all(work_); }

  // A scenario whose runs pass on "old" and, when `regresses`, fail on "new".
  void AddScenario(const std::string& id, bool regresses) {
    Scenario s;
    s.id = id;
    scenarios_.push_back(s);
    results_.environment.scenarios.push_back(id);
    for (const char* target : {"old", "new"}) {
      for (int rep = 1; rep <= 3; ++rep) {
        RunResult r;
        r.scenario_id = id;
        r.target_name = target;
        r.repetition = rep;
        r.run_id = id + "." + target + std::to_string(rep);
        const bool fails = regresses && std::string(target) == "new";
        r.status = fails ? Status::kFail : Status::kPass;
        if (fails) {
          r.error_type = "AssertionError";
          r.traceback = "  File \"/site/dsp/utils/settings.py\", line 3\n";
        }
        results_.runs.push_back(r);
      }
    }
  }

  std::vector<ChangedCode> Find(FakeProbe& probe) {
    return FindChangedCode(results_, scenarios_, targets_, probe, options_, nullptr);
  }

  fs::path work_;
  Results results_;
  std::vector<Scenario> scenarios_;
  std::vector<Target> targets_;
  ChangedCodeOptions options_;
};

TEST_F(FindChangedCodeTest, RerunsARegressionOnEachSideTracedAndDiffsThem) {
  AddScenario("clean", false);
  AddScenario("broken", true);
  FakeProbe probe;
  auto found = Find(probe);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].scenario_id, "broken");
  EXPECT_EQ(found[0].baseline_target, "old");
  EXPECT_EQ(found[0].target_name, "new");
  EXPECT_EQ(found[0].error, "");
  EXPECT_EQ(found[0].hunks_changed, 31);
  ASSERT_EQ(probe.specs.size(), 2u);
  EXPECT_EQ(probe.specs[0].run_id, "broken.t0.r1.changed-code");  // not a run id of the session
  EXPECT_EQ(probe.specs[0].trace_dspy, work_ / "broken.t0.r1.changed-code.json");
  EXPECT_EQ(probe.specs[1].target.name, "new");
  EXPECT_EQ(probe.diffs,
            std::vector<std::string>{
                "old>new:broken.t0.r1.changed-code.json,broken.t1.r1.changed-code.json"});
  // The rerun's traceback orders the hunks: predict.py first.
  ASSERT_EQ(found[0].hunks.size(), 3u);
  EXPECT_EQ(found[0].hunks[0].file, "dspy/predict/predict.py");
  EXPECT_TRUE(found[0].hunks[0].on_traceback);
}

TEST_F(FindChangedCodeTest, WithoutAFailingRerunTheSessionsTracebackOrdersTheHunks) {
  AddScenario("broken", true);
  FakeProbe probe;
  probe.traceback = "";  // the rerun failed without one (or passed)
  auto found = Find(probe);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].hunks[0].file, "dsp/utils/settings.py");
  EXPECT_TRUE(found[0].hunks[0].on_traceback);
}

TEST_F(FindChangedCodeTest, AtMostMaxPairs) {
  for (int i = 0; i < 5; ++i) AddScenario("broken" + std::to_string(i), true);
  FakeProbe probe;
  EXPECT_EQ(Find(probe).size(), 3u);
  EXPECT_EQ(probe.specs.size(), 6u);
  options_.max_pairs = 0;
  EXPECT_TRUE(Find(probe).empty());
}

TEST_F(FindChangedCodeTest, ARerunWithoutATraceOrAFailedDiffIsAnErrorOfThatPair) {
  AddScenario("broken", true);
  FakeProbe probe;
  probe.no_trace_on = "new";
  auto found = Find(probe);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].error.find("the traced rerun on new left no trace (fail"), std::string::npos)
      << found[0].error;
  EXPECT_TRUE(found[0].hunks.empty());
  EXPECT_TRUE(probe.diffs.empty());

  FakeProbe failing;
  failing.diff_error = true;
  found = Find(failing);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].error, "the changed-code diff failed (exit 2): boom");
}

TEST_F(FindChangedCodeTest, CancelledRerunStopsWithWhatWasFound) {
  AddScenario("broken0", true);
  AddScenario("broken1", true);
  FakeProbe probe;
  probe.cancel_after = 2;
  auto found = Find(probe);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].scenario_id, "broken0");
}

// The session's hook: reruns as the session planned them, through its
// executor, traces in a folder it creates; the diff script is never reached
// when a rerun leaves no trace.
TEST_F(FindChangedCodeTest, AfterASessionEachSideIsRerunAsPlannedThroughTheSessionsExecutor) {
  AddScenario("clean", false);
  AddScenario("broken", true);
  PlanOptions plan;
  plan.timeout = std::chrono::seconds(7);
  std::vector<RunSpec> executed;
  auto execute = [&](const RunSpec& spec, const std::atomic<bool>*) -> std::optional<RunResult> {
    executed.push_back(spec);
    RunResult r;
    r.run_id = spec.run_id;
    r.status = Status::kError;
    return r;
  };
  const fs::path work = work_ / "changed-code";
  auto found = FindChangedCodeOfSession(results_, scenarios_, targets_, plan, execute,
                                        work_ / "no-such-diff.py", work, nullptr);
  EXPECT_TRUE(fs::is_directory(work));
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].scenario_id, "broken");
  EXPECT_NE(found[0].error.find("the traced rerun on old left no trace (error"), std::string::npos)
      << found[0].error;
  ASSERT_EQ(executed.size(), 1u);  // the baseline's rerun left no trace: the pair stops there
  const RunSpec expected = MakeRunSpec(scenarios_[1], targets_[0], 0, 1, plan);
  EXPECT_EQ(executed[0].run_id, expected.run_id + ".changed-code");
  EXPECT_EQ(executed[0].repetition, 1);
  EXPECT_EQ(executed[0].timeout, std::chrono::seconds(7));
  EXPECT_EQ(executed[0].trace_dspy, work / (expected.run_id + ".changed-code.json"));
}

}  // namespace
}  // namespace dspy_compat
