# SUMMARY: asyncify_nested_in_worker migrated: the sub-questions fan out with DSPy's ParallelExecutor inside the worker
# FAMILY: asyncify-placement
# EXERCISES: ParallelExecutor inside an asyncified program: the outer program is awaited through dspy.asyncify and
# EXERCISES: answers its sub-questions on DSPy's own thread pool instead of asyncifying again in the worker thread
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# MIGRATION-OF: asyncify_nested_in_worker
# EXPECT: pass

import asyncio

import dspy
from dspy.utils.parallelizer import ParallelExecutor


class FanOut(dspy.Module):
    def __init__(self):
        super().__init__()
        self.split = dspy.Predict("question -> first_part, second_part")
        self.answer = dspy.ChainOfThought("question -> answer")
        self.combine = dspy.Predict("question, partial_answers -> answer")

    def forward(self, question):
        parts = self.split(question=question)
        executor = ParallelExecutor(num_threads=2, disable_progress_bar=True)
        partial = executor.execute(
            lambda q: self.answer(question=q), [parts.first_part, parts.second_part]
        )
        assert all(p is not None for p in partial), "a sub-question failed"
        return self.combine(question=question, partial_answers=" | ".join(p.answer for p in partial))


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = dspy.asyncify(FanOut())
    result = await program(question="Compare the climates of Oslo and Lisbon.")
    assert result.answer.strip(), "empty answer"
    print("answer:", result.answer)


if __name__ == "__main__":
    asyncio.run(main())
