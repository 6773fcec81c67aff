#include "runner/resume.h"

#include <gtest/gtest.h>

#include "results/results_file.h"
#include "test_support/temp_dir.h"

namespace dspy_compat {
namespace {
namespace fs = std::filesystem;

class ReadSessionToResumeTest : public ::testing::Test {
 protected:
  std::string ErrorOf() const {
    try {
      ReadSessionToResume(dir_.path());
    } catch (const ResumeError& e) {
      return e.what();
    }
    return "";
  }

  test_support::TempDir dir_{"resume_test"};
};

TEST_F(ReadSessionToResumeTest, ASessionsRecordIsReadWithItsRunsAndPlan) {
  Results session;
  session.environment.session_options = R"({"jobs":2})";
  session.environment.plan = std::vector<PlannedRun>{{"s.t0.r1", "s", "t", 1}};
  session.runs.resize(1);
  session.runs[0].run_id = "s.t0.r1";
  WriteResultsFile(dir_ / "results.json", session);
  Results read = ReadSessionToResume(dir_.path());
  EXPECT_EQ(read.environment.session_options, R"({"jobs":2})");
  ASSERT_TRUE(read.environment.plan.has_value());
  EXPECT_EQ(read.environment.plan->size(), 1u);
  ASSERT_EQ(read.runs.size(), 1u);
}

TEST_F(ReadSessionToResumeTest, AMergeOrAnOlderFileHasNoSessionToResume) {
  Results merged;  // no session_options, no plan
  WriteResultsFile(dir_ / "results.json", merged);
  EXPECT_EQ(ErrorOf(), (dir_ / "results.json").string() +
                           ": no session record to resume from (written by `merge` or by a "
                           "dspy-compat before results v1.11); run the session again");
  merged.environment.session_options = "{}";  // options but no plan
  WriteResultsFile(dir_ / "results.json", merged);
  EXPECT_NE(ErrorOf().find("no session record"), std::string::npos);
}

TEST_F(ReadSessionToResumeTest, AMissingFileIsAnErrorNamingIt) {
  const std::string error = ErrorOf();
  EXPECT_TRUE(error.starts_with((dir_ / "results.json").string() + ": cannot read")) << error;
}

}  // namespace
}  // namespace dspy_compat
