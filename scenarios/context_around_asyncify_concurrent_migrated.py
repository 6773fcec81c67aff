# SUMMARY: the 8 concurrent requests of context_around_asyncify_concurrent, migrated: the LM is chosen inside the program
# FAMILY: context-around-asyncify
# EXERCISES: each request still picks its LM, but passes it to the synchronous program, which sets it with dspy.context
# EXERCISES: inside forward (in the worker thread); the program is asyncified once and awaited concurrently
# LM-DELAY-MS: 10-300
# TIMEOUT: 90
# MIGRATION-OF: context_around_asyncify_concurrent
# EXPECT: pass

import asyncio

import dspy


class DraftThenAnswer(dspy.Module):
    def __init__(self):
        super().__init__()
        self.draft = dspy.ChainOfThought("question -> draft")
        self.answer = dspy.Predict("question, draft -> answer")

    def forward(self, question, lm):
        with dspy.context(lm=lm):
            draft = self.draft(question=question).draft
            return self.answer(question=question, draft=draft)


program = dspy.asyncify(DraftThenAnswer())
lm = dspy.LM("openai/gpt-4o-mini")


async def handle(question):
    return await program(question=question, lm=lm)


async def main():
    questions = [f"Summarise document {n} in one sentence." for n in range(8)]
    results = await asyncio.gather(*(handle(q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
