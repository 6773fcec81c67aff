# SUMMARY: the stanfordnlp/dspy issue #1867 workload migrated as the maintainers advised, 16 concurrent calls
# FAMILY: issue1867
# EXERCISES: synchronous module that sets its own LM with dspy.context inside forward (so in the worker thread),
# EXERCISES: wrapped once with dspy.asyncify at the outermost level and awaited 16 times with asyncio.gather
# LM-DELAY-MS: 600-1100
# TIMEOUT: 90
# MIGRATION-OF: issue1867_concurrent16
# EXPECT: pass

import asyncio

import dspy


class QA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.predictor = dspy.ChainOfThought("question -> answer")
        self.lm = dspy.LM("openai/gpt-4o-mini")

    def forward(self, question):
        with dspy.context(lm=self.lm):
            return self.predictor(question=question)


async def main():
    program = dspy.asyncify(QA())
    questions = [f"What is the population of city number {n}?" for n in range(16)]
    results = await asyncio.gather(*(program(question=q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
