#include "runner/results_sink.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "results/results_file.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

RunResult Finished(const std::string& id) {
  RunResult r;
  r.scenario_id = "s";
  r.target_name = "t";
  r.run_id = id;
  r.status = Status::kPass;
  return r;
}

class ResultsFileSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("results_sink_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// A harness killed outright after its first run still leaves that run, with
// the session's header, in results.json.
TEST_F(ResultsFileSinkTest, FirstRunIsWrittenAtOnceWithTheHeader) {
  Results header;
  header.environment.seed = 42;
  ResultsFileSink sink(dir_ / "results.json", header, std::chrono::hours(1));
  sink.Add(Finished("s.t0.r1"));
  Results written = ReadResultsFile(dir_ / "results.json");
  EXPECT_EQ(written.environment.seed, 42u);
  ASSERT_EQ(written.runs.size(), 1u);
  EXPECT_EQ(written.runs[0].run_id, "s.t0.r1");
}

TEST_F(ResultsFileSinkTest, RewritesAtMostOncePerInterval) {
  ResultsFileSink sink(dir_ / "results.json", Results{}, std::chrono::hours(1));
  sink.Add(Finished("s.t0.r1"));
  sink.Add(Finished("s.t0.r2"));
  EXPECT_EQ(ReadResultsFile(dir_ / "results.json").runs.size(), 1u);

  ResultsFileSink eager(dir_ / "eager.json", Results{}, std::chrono::milliseconds(0));
  eager.Add(Finished("s.t0.r1"));
  eager.Add(Finished("s.t0.r2"));
  EXPECT_EQ(ReadResultsFile(dir_ / "eager.json").runs.size(), 2u);
}

RunSpec Planned(const std::string& id, int repetition) {
  RunSpec spec;
  spec.scenario.id = "s";
  spec.target.name = "t";
  spec.repetition = repetition;
  spec.run_id = id;
  return spec;
}

// A round is in results.json before any of its runs: a session killed
// between rounds still says what it had planned.
TEST_F(ResultsFileSinkTest, EachRoundPlannedIsWrittenAtOnce) {
  ResultsFileSink sink(dir_ / "results.json", Results{}, std::chrono::hours(1));
  sink.Planned({Planned("s.t0.r1", 1), Planned("s.t0.r2", 2)});
  Results written = ReadResultsFile(dir_ / "results.json");
  ASSERT_TRUE(written.environment.plan);
  ASSERT_EQ(written.environment.plan->size(), 2u);
  EXPECT_EQ((*written.environment.plan)[1].run_id, "s.t0.r2");
  EXPECT_EQ(written.environment.planned_runs, 2);
  sink.Planned({Planned("s.t0.r2", 2), Planned("s.t0.r3", 3)});  // a restored round: once
  EXPECT_EQ(ReadResultsFile(dir_ / "results.json").environment.plan->size(), 3u);
}

// A write that fails (read-only or full file system) used to throw
// filesystem_error out of a worker thread and abort the session.
TEST_F(ResultsFileSinkTest, AFailedWriteIsKeptAsAnErrorNotThrown) {
  std::ofstream(dir_ / "file") << "not a folder";
  ResultsFileSink sink(dir_ / "file" / "results.json", Results{}, std::chrono::milliseconds(0));
  EXPECT_NO_THROW(sink.Add(Finished("s.t0.r1")));
  ASSERT_TRUE(sink.error());
  EXPECT_NE(sink.error()->find("results.json"), std::string::npos) << *sink.error();

  ResultsFileSink good(dir_ / "results.json", Results{}, std::chrono::milliseconds(0));
  good.Add(Finished("s.t0.r1"));
  EXPECT_FALSE(good.error());
}

}  // namespace
}  // namespace dspy_compat
