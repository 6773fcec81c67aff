# SUMMARY: a program already running in an asyncify worker thread calls dspy.asyncify itself to fan out sub-questions
# FAMILY: asyncify-placement
# EXERCISES: nested asyncify: the outer program is awaited through dspy.asyncify and, inside its synchronous forward,
# EXERCISES: asyncifies a sub-module to answer sub-questions concurrently; asyncify asserts it runs in the main thread
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: fail
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class FanOut(dspy.Module):
    def __init__(self):
        super().__init__()
        self.split = dspy.Predict("question -> first_part, second_part")
        self.answer = dspy.ChainOfThought("question -> answer")
        self.combine = dspy.Predict("question, partial_answers -> answer")

    def forward(self, question):
        parts = self.split(question=question)
        answer_async = dspy.asyncify(self.answer)

        async def answer_parts():
            return await asyncio.gather(
                answer_async(question=parts.first_part), answer_async(question=parts.second_part)
            )

        partial = asyncio.run(answer_parts())
        return self.combine(question=question, partial_answers=" | ".join(p.answer for p in partial))


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = dspy.asyncify(FanOut())
    result = await program(question="Compare the climates of Oslo and Lisbon.")
    assert result.answer.strip(), "empty answer"
    print("answer:", result.answer)


if __name__ == "__main__":
    asyncio.run(main())
