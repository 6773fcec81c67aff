# SUMMARY: context_lm_silently_ignored migrated: the per-request LM is set inside the program, and every call reaches it
# FAMILY: lm-selection
# EXERCISES: a default LM set with dspy.configure, a stronger LM handed to a synchronous program that sets it with
# EXERCISES: dspy.context inside forward (in the worker thread); asyncified once, 16 concurrent calls; checks who answered
# LM-DELAY-MS: 600-1100
# TIMEOUT: 90
# MIGRATION-OF: context_lm_silently_ignored
# EXPECT: pass

import asyncio

import dspy


class Routed(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")

    def forward(self, question, lm):
        with dspy.context(lm=lm):
            return self.generate(question=question)


async def main():
    default_lm = dspy.LM("openai/gpt-4o-mini")
    strong_lm = dspy.LM("openai/gpt-4o")
    dspy.configure(lm=default_lm)
    program = dspy.asyncify(Routed())

    questions = [f"Explain theorem number {n} briefly." for n in range(16)]
    results = await asyncio.gather(*(program(question=q, lm=strong_lm) for q in questions))

    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    assert len(default_lm.history) == 0 and len(strong_lm.history) == len(questions), (
        f"the chosen LM was ignored: {len(strong_lm.history)} calls went to {strong_lm.model}, "
        f"{len(default_lm.history)} to the globally configured {default_lm.model}"
    )
    print(f"{len(results)} answers, all from the chosen LM")


if __name__ == "__main__":
    asyncio.run(main())
