# SUMMARY: the multi-step #1867 workload migrated: dspy.context inside the synchronous program, asyncified once
# FAMILY: issue1867
# EXERCISES: the outline/draft/polish module sets its LM with dspy.context inside forward (in the worker thread), is
# EXERCISES: wrapped once with dspy.asyncify at the outermost level, and awaited 8 times concurrently
# LM-DELAY-MS: 10-400
# TIMEOUT: 90
# MIGRATION-OF: issue1867_multistep_concurrent
# EXPECT: pass

import asyncio

import dspy


class OutlineDraftPolish(dspy.Module):
    def __init__(self):
        super().__init__()
        self.outline = dspy.Predict("topic -> outline")
        self.draft = dspy.ChainOfThought("topic, outline -> draft")
        self.polish = dspy.Predict("draft -> text")
        self.lm = dspy.LM("openai/gpt-4o-mini")

    def forward(self, topic):
        with dspy.context(lm=self.lm):
            outline = self.outline(topic=topic).outline
            draft = self.draft(topic=topic, outline=outline).draft
            return self.polish(draft=draft)


async def main():
    writer = dspy.asyncify(OutlineDraftPolish())
    topics = [f"Release notes for component {n}" for n in range(8)]
    results = await asyncio.gather(*(writer(topic=t) for t in topics))

    assert len(results) == len(topics), f"expected {len(topics)} results, got {len(results)}"
    for topic, result in zip(topics, results):
        assert result.text.strip(), f"empty text for {topic!r}"
    print(f"{len(results)} texts")


if __name__ == "__main__":
    asyncio.run(main())
