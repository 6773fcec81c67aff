# SUMMARY: the #1867 module called 16 times concurrently, with the mock LM forcing the losing interleaving
# FAMILY: issue1867
# FORCES: issue1867_concurrent16
# EXERCISES: forced race: the #1867 module (dspy.context(lm=...) around an asyncified predictor) called 16 times;
# EXERCISES: the mock LM answers the first call at once and holds the others, so call 9 starts after call 1 left its context
# MOCK-FIXTURE: fixtures/mock/issue1867-concurrent16-forced.json
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: fail on dspy>=2.5.40 dspy<2.6
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
