# SUMMARY: the #1867 module with three predictor calls in sequence inside the worker, called 8 times concurrently
# FAMILY: issue1867
# EXERCISES: a module whose async forward wraps an asyncified multi-step program (outline, draft, polish) in
# EXERCISES: dspy.context(lm=...); each step reads the settings again after an LM response of unequal latency
# LM-DELAY-MS: 10-400
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class OutlineDraftPolish(dspy.Module):
    def __init__(self):
        super().__init__()
        self.outline = dspy.Predict("topic -> outline")
        self.draft = dspy.ChainOfThought("topic, outline -> draft")
        self.polish = dspy.Predict("draft -> text")

    def forward(self, topic):
        outline = self.outline(topic=topic).outline
        draft = self.draft(topic=topic, outline=outline).draft
        return self.polish(draft=draft)


class AsyncWriter(dspy.Module):
    def __init__(self):
        super().__init__()
        self.program = dspy.asyncify(OutlineDraftPolish())
        self.lm = dspy.LM("openai/gpt-4o-mini")

    async def forward(self, topic):
        with dspy.context(lm=self.lm):
            return await self.program(topic=topic)


async def main():
    writer = AsyncWriter()
    topics = [f"Release notes for component {n}" for n in range(8)]
    results = await asyncio.gather(*(writer(topic=t) for t in topics))

    assert len(results) == len(topics), f"expected {len(topics)} results, got {len(results)}"
    for topic, result in zip(topics, results):
        assert result.text.strip(), f"empty text for {topic!r}"
    print(f"{len(results)} texts")


if __name__ == "__main__":
    asyncio.run(main())
