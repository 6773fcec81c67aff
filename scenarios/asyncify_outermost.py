# SUMMARY: dspy.asyncify wrapped once around a whole synchronous program, LM set globally, awaited concurrently
# FAMILY: asyncify-placement
# EXERCISES: the pattern the DSPy maintainers recommend: configure the LM once with dspy.configure, keep the
# EXERCISES: program synchronous, wrap it once with dspy.asyncify at the outermost level and await it from asyncio
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class AnswerQuestion(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")

    def forward(self, question):
        return self.generate(question=question)


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = dspy.asyncify(AnswerQuestion())

    questions = [f"What is {n} + {n}?" for n in range(6)]
    results = await asyncio.gather(*(program(question=q) for q in questions))

    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    asyncio.run(main())
