#include "core/model.h"

#include <gtest/gtest.h>

namespace dspy_compat {

TEST(StatusTest, NamesRoundTrip) {
  for (Status s :
       {Status::kPass, Status::kFail, Status::kTimeout, Status::kCrash, Status::kError}) {
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
}

}  // namespace dspy_compat
