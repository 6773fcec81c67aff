#include "core/model.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/iso_time.h"

namespace dspy_compat {

TEST(StatusTest, NamesRoundTrip) {
  for (Status s : {Status::kPass, Status::kFail, Status::kTimeout, Status::kCrash, Status::kError,
                   Status::kUnresolved}) {
    auto parsed = ParseStatus(StatusName(s));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_FALSE(ParseStatus("passed").has_value());
}

TEST(StatusTest, OnlyPassIsNotAFailure) {
  EXPECT_FALSE(IsFailure(Status::kPass));
  EXPECT_TRUE(IsFailure(Status::kFail));
  EXPECT_TRUE(IsFailure(Status::kTimeout));
  EXPECT_TRUE(IsFailure(Status::kCrash));
  EXPECT_TRUE(IsFailure(Status::kError));
  // Never a pass: a program that could not start proves nothing.
  EXPECT_TRUE(IsFailure(Status::kUnresolved));
}

TEST(ExpectationTest, NamesRoundTrip) {
  for (Expectation e :
       {Expectation::kPass, Expectation::kFail, Expectation::kFlaky, Expectation::kFailOrFlaky,
        Expectation::kAny, Expectation::kBehaviourChange}) {
    auto parsed = ParseExpectation(ExpectationName(e));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, e);
  }
  EXPECT_FALSE(ParseExpectation("xfail").has_value());
}

TEST(CompareVersionsTest, NumericPerComponent) {
  EXPECT_LT(CompareVersions("2.5.9", "2.5.40"), 0);
  EXPECT_EQ(CompareVersions("2.6", "2.6.0"), 0);
  EXPECT_GT(CompareVersions("3.0.0b1", "2.6.27"), 0);
  EXPECT_EQ(CompareVersions("2.5.40", "2.5.40"), 0);
}

TEST(IsoTimeTest, IsUtcToTheSecond) {
  EXPECT_TRUE(std::regex_match(IsoUtcNow(), std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)")))
      << IsoUtcNow();
}

}  // namespace dspy_compat
