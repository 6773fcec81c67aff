# SUMMARY: async_max_workers set to 3 and 12 concurrent awaits of an asyncified program: bounded, and every call answered
# FAMILY: limits
# EXERCISES: saturating async_max_workers: a service limits DSPy's asyncify threads with
# EXERCISES: dspy.configure(async_max_workers=3) and sends more concurrent requests than that; checks the bound holds
# LM-DELAY-MS: 50-150
# TIMEOUT: 90
# EXPECT: pass
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio
import threading

import dspy

running = 0
peak = 0
lock = threading.Lock()


class CountingQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")

    def forward(self, question):
        global running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            return self.generate(question=question)
        finally:
            with lock:
                running -= 1


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"), async_max_workers=3)
    program = dspy.asyncify(CountingQA())
    questions = [f"Translate sentence {n} to French." for n in range(12)]
    results = await asyncio.gather(*(program(question=q) for q in questions))

    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    assert peak <= 3, f"{peak} programs ran at once with async_max_workers=3"
    print(f"{len(results)} answers, at most {peak} at once")


if __name__ == "__main__":
    asyncio.run(main())
