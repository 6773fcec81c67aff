#include "results/separation.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

TEST(SeparationTest, AllFailuresOnOneSideIsOneArrangementInAllPossible) {
  // 10 failures among 20 runs, all on one side: 1 of C(20, 10) = 184756.
  EXPECT_NEAR(OneSidedFisher(10, 0, 10, 10), 1.0 / 184756, 1e-12);
  EXPECT_NEAR(OneSidedFisher(10, 10, 10, 0), 1.0 / 184756, 1e-12);
}

// The case of issue 12: a race failing ~6% on both releases gives 0/24
// against 2/24 about a quarter of the time; a real regression at 20% gives
// 0/24 against 3/24, which alone is not below 0.05 either.
TEST(SeparationTest, FewFailuresOnOneSideAreLikelyByChance) {
  EXPECT_NEAR(OneSidedFisher(24, 0, 24, 2), 276.0 / 1128, 1e-9);    // C(24,2)/C(48,2) = 0.245
  EXPECT_NEAR(OneSidedFisher(24, 0, 24, 3), 2024.0 / 17296, 1e-9);  // C(24,3)/C(48,3) = 0.117
  EXPECT_NEAR(OneSidedFisher(24, 3, 24, 0), 2024.0 / 17296, 1e-9);  // either side may be worse
  EXPECT_LT(OneSidedFisher(40, 0, 40, 8), 0.05);                    // more runs separate them
}

TEST(SeparationTest, MixedCountsUseTheUpperTail) {
  // 2/10 against 7/10: P(X >= 7) with 9 failures among 20 runs, 10 drawn.
  // Terms C(9,k) C(11,10-k) / C(20,10) for k = 7, 8, 9: 36*165 + 9*55 + 1*11.
  EXPECT_NEAR(OneSidedFisher(10, 2, 10, 7), (36.0 * 165 + 9 * 55 + 11) / 184756, 1e-12);
}

TEST(SeparationTest, EqualRatesAreNoEvidence) {
  EXPECT_EQ(OneSidedFisher(10, 0, 10, 0), 1);
  EXPECT_EQ(OneSidedFisher(10, 10, 10, 10), 1);
  EXPECT_GE(OneSidedFisher(10, 2, 10, 2), 0.5);
  EXPECT_GE(OneSidedFisher(10, 1, 20, 2), 0.5);
}

TEST(SeparationTest, UnequalRunCountsCompareRatesNotCounts) {
  // 2 of 40 is a lower rate than 1 of 5: the 5-run side is the worse one.
  const double p = OneSidedFisher(40, 2, 5, 1);
  EXPECT_GT(p, 0.2);
  EXPECT_LT(p, 1);
  EXPECT_EQ(p, OneSidedFisher(5, 1, 40, 2));
}

TEST(SeparationTest, NoRunsOnASideIsNoEvidence) {
  EXPECT_EQ(OneSidedFisher(0, 0, 10, 10), 1);
  EXPECT_EQ(OneSidedFisher(10, 3, 0, 0), 1);
  EXPECT_EQ(OneSidedFisher(0, 0, 0, 0), 1);
}

}  // namespace
}  // namespace dspy_compat
