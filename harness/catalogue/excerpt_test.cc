#include "catalogue/excerpt.h"

#include <gtest/gtest.h>

namespace dspy_compat {
namespace {

constexpr const char* kIssue1867 = R"(# SUMMARY: the #1867 module
# TIMEOUT: 60

import asyncio

import dspy


class AsyncQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predictor = dspy.asyncify(dspy.ChainOfThought("question -> answer"))
        self.lm = dspy.LM("openai/gpt-4o-mini")

    async def forward(self, question):
        with dspy.context(lm=self.lm):
            return await self.predictor(question=question)


async def main():
    qa = AsyncQA()
    results = await asyncio.gather(*(qa(question=q) for q in range(16)))
    assert len(results) == 16


if __name__ == "__main__":
    asyncio.run(main())
)";

TEST(ExcerptTest, KeepsKeyCallsWithTheirEnclosingBlocks) {
  EXPECT_EQ(ExtractExcerpt(kIssue1867),
            R"(class AsyncQA(dspy.Module):
    def __init__(self):
        ...
        self.predictor = dspy.asyncify(dspy.ChainOfThought("question -> answer"))
        ...
    async def forward(self, question):
        with dspy.context(lm=self.lm):
            return await self.predictor(question=question)

async def main():
    ...
    results = await asyncio.gather(*(qa(question=q) for q in range(16)))
    ...
if __name__ == "__main__":
    asyncio.run(main())
)");
}

TEST(ExcerptTest, WithoutKeyCallsShowsTheFirstLines) {
  EXPECT_EQ(ExtractExcerpt("# SUMMARY: x\nimport os\n\nprint(1)\nprint(2)\n"),
            "print(1)\nprint(2)\n");
}

TEST(ExcerptTest, IsBounded) {
  std::string program;
  for (int i = 0; i < 100; ++i) program += "dspy.configure(lm=None)\nx = 1\n";
  std::string excerpt = ExtractExcerpt(program);
  EXPECT_EQ(std::count(excerpt.begin(), excerpt.end(), '\n'), kExcerptLines);
  EXPECT_TRUE(excerpt.ends_with("\n...\n"));
}

// A call only counts at a word start (my_dspy.configure is not dspy's), and a
// line of any length is scanned without recursion.
TEST(ExcerptTest, KeyCallsStartAtAWordAndLinesMayBeLong) {
  EXPECT_EQ(ExtractExcerpt("print(1)\nmy_dspy.configure(x)\nprint(2)\n"),
            "print(1)\nmy_dspy.configure(x)\nprint(2)\n");
  std::string long_line = "x = '" + std::string(1 << 20, 'a') + "'; dspy.configure(lm=None)\n";
  EXPECT_NE(ExtractExcerpt("print(1)\n" + long_line).find("dspy.configure"), std::string::npos);
}

TEST(ExcerptTest, EmptyProgramGivesNothing) { EXPECT_EQ(ExtractExcerpt(""), ""); }

}  // namespace
}  // namespace dspy_compat
