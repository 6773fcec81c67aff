"""The documented pattern: configure once, asyncify once at the outermost level."""

import asyncio

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
qa = dspy.asyncify(dspy.ChainOfThought("question -> answer"))


async def main():
    answers = await asyncio.gather(*(qa(question=f"What is {n} + {n}?") for n in range(12)))
    assert all(a.answer for a in answers)
    print(len(answers), "answers")


asyncio.run(main())
