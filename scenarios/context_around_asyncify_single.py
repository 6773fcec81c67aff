# SUMMARY: one call of an asyncified program inside dspy.context(lm=...) at top level, no global LM
# FAMILY: context-around-asyncify
# EXERCISES: a script asyncifies a program once and awaits it a single time inside dspy.context(lm=...) in the main
# EXERCISES: thread's event loop; with nothing running concurrently the context is still open when the worker reads it
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: pass
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


async def main():
    program = dspy.asyncify(DraftThenAnswer())
    lm = dspy.LM("openai/gpt-4o-mini")
    with dspy.context(lm=lm):
        result = await program(question="Summarise the quarterly report in one sentence.")
    assert result.answer.strip(), "empty answer"
    assert len(lm.history) == 2, f"expected 2 calls to the context LM, it got {len(lm.history)}"
    print("answer:", result.answer)


if __name__ == "__main__":
    asyncio.run(main())
