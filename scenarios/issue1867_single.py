# SUMMARY: the module from stanfordnlp/dspy issue #1867, called once: dspy.context(lm=...) around an asyncified predictor
# FAMILY: issue1867
# EXERCISES: a module builds dspy.asyncify(dspy.ChainOfThought(...)) in __init__ and sets its own LM with dspy.context
# EXERCISES: inside an async forward, so no global dspy.configure is needed; users write this to keep the LM per module
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: pass
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
    result = await qa(question="What is the capital of France?")
    assert result.answer.strip(), "empty answer"
    print("answer:", result.answer)


if __name__ == "__main__":
    asyncio.run(main())
