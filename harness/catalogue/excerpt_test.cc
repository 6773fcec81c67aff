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

constexpr const char* kTestFile = R"(import asyncio

import pytest

from support_desk import answer_all, triage_in_loop


def test_answers_outermost_asyncify():
    answers = asyncio.run(answer_all(range(4)))
    assert len(answers) == 4


@pytest.mark.slow
def test_triage_in_background_loop():
    labels = triage_in_loop(["a", "b"])

    assert labels == ["x", "y"]


class TestDesk:
    def test_triage_in_background_loop(self):
        pass

    async def test_label(self):
        with dspy.context(lm=None):
            await asyncio.sleep(0)
)";

TEST(ExcerptTest, TestSourceIsTheTestsOwnFunction) {
  EXPECT_EQ(TestSource(kTestFile, "test_triage_in_background_loop"),
            "@pytest.mark.slow\n"
            "def test_triage_in_background_loop():\n"
            "    labels = triage_in_loop([\"a\", \"b\"])\n"
            "\n"
            "    assert labels == [\"x\", \"y\"]\n");
  EXPECT_EQ(TestSource(kTestFile, "TestDesk::test_triage_in_background_loop"),
            "def test_triage_in_background_loop(self):\n    pass\n");
  EXPECT_EQ(TestSource(kTestFile, "TestDesk::test_label"),
            "async def test_label(self):\n"
            "    with dspy.context(lm=None):\n"
            "        await asyncio.sleep(0)\n");
  // A name that is only a prefix of a test, or a method outside its class: none.
  EXPECT_EQ(TestSource(kTestFile, "test_answers"), "");
  EXPECT_EQ(TestSource(kTestFile, "test_label"), "");
  EXPECT_EQ(TestSource(kTestFile, "TestNone::test_label"), "");
  // The excerpt of a test shows that test, not the file's first one.
  const std::string excerpt =
      ExtractExcerpt(TestSource(kTestFile, "test_triage_in_background_loop"));
  EXPECT_NE(excerpt.find("triage_in_loop"), std::string::npos) << excerpt;
  EXPECT_EQ(excerpt.find("answer_all"), std::string::npos) << excerpt;
}

TEST(ExcerptTest, EmptyProgramGivesNothing) { EXPECT_EQ(ExtractExcerpt(""), ""); }

}  // namespace
}  // namespace dspy_compat
