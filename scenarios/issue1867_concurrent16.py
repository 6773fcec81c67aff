# SUMMARY: the stanfordnlp/dspy issue #1867 module called 16 times concurrently (twice async_max_workers)
# FAMILY: issue1867
# EXERCISES: concurrent calls of a module whose async forward wraps an asyncified predictor in dspy.context(lm=...);
# EXERCISES: calls beyond the 8 asyncify workers start only after earlier calls have left their dspy.context
# LM-DELAY-MS: 600-1100
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

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
    questions = [f"What is the population of city number {n}?" for n in range(16)]
    results = await asyncio.gather(*(qa(question=q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
