# SUMMARY: 8 concurrent coroutines each set the LM with dspy.context(lm=...) around one asyncified two-step program
# FAMILY: context-around-asyncify
# EXERCISES: a program asyncified once at top level with no global LM, each request handler picks its LM with
# EXERCISES: dspy.context; no call waits for a worker, but step two reads the settings again after an LM response
# LM-DELAY-MS: 10-300
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class DraftThenAnswer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.draft = dspy.ChainOfThought("question -> draft")
        self.answer = dspy.Predict("question, draft -> answer")

    def forward(self, question):
        draft = self.draft(question=question).draft
        return self.answer(question=question, draft=draft)


program = dspy.asyncify(DraftThenAnswer())
lm = dspy.LM("openai/gpt-4o-mini")


async def handle(question):
    with dspy.context(lm=lm):
        return await program(question=question)


async def main():
    questions = [f"Summarise document {n} in one sentence." for n in range(8)]
    results = await asyncio.gather(*(handle(q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
