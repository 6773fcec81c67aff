# SUMMARY: the stanfordnlp/dspy issue #1867 module called 8 times concurrently (exactly async_max_workers), equal latency
# FAMILY: issue1867
# EXERCISES: the #1867 pattern with no call waiting for an asyncify worker: every worker reads the settings while all
# EXERCISES: dspy.context blocks are still open, the contrast case for issue1867_concurrent16
# LM-DELAY-MS: 300
# TIMEOUT: 60
# EXPECT: pass
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
    questions = [f"What is the population of city number {n}?" for n in range(8)]
    results = await asyncio.gather(*(qa(question=q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
