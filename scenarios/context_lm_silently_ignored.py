# SUMMARY: a dspy.context(lm=...) override around an asyncified program must reach every call, not the global LM
# FAMILY: lm-selection
# EXERCISES: a default LM set with dspy.configure and a stronger LM chosen per request with dspy.context around a
# EXERCISES: program asyncified once; 16 concurrent calls; the program checks which LM actually answered
# LM-DELAY-MS: 600-1100
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


async def main():
    default_lm = dspy.LM("openai/gpt-4o-mini")
    strong_lm = dspy.LM("openai/gpt-4o")
    dspy.configure(lm=default_lm)
    program = dspy.asyncify(dspy.ChainOfThought("question -> answer"))

    async def ask(question):
        with dspy.context(lm=strong_lm):
            return await program(question=question)

    questions = [f"Explain theorem number {n} briefly." for n in range(16)]
    results = await asyncio.gather(*(ask(q) for q in questions))

    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    # Nothing raises when the override is lost: only the LMs' histories show which model answered.
    assert len(default_lm.history) == 0 and len(strong_lm.history) == len(questions), (
        f"dspy.context(lm=...) was ignored: {len(strong_lm.history)} calls went to {strong_lm.model}, "
        f"{len(default_lm.history)} to the globally configured {default_lm.model}"
    )
    print(f"{len(results)} answers, all from the context LM")


if __name__ == "__main__":
    asyncio.run(main())
