# SUMMARY: an LM and sampling settings passed per call (lm=..., config=...) inside an asyncified program, 8 concurrent calls
# FAMILY: lm-selection
# EXERCISES: a router picks the LM per request and hands it to the predictor call itself (predictor(..., lm=lm,
# EXERCISES: config=...)) instead of dspy.context; a default LM is configured globally; checks who answered
# LM-DELAY-MS: 20-200
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class Router(dspy.Module):
    def __init__(self, cheap_lm, strong_lm):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")
        self.cheap_lm = cheap_lm
        self.strong_lm = strong_lm

    def forward(self, question, hard):
        lm = self.strong_lm if hard else self.cheap_lm
        return self.generate(question=question, lm=lm, config=dict(temperature=0.3, max_tokens=400))


async def main():
    default_lm = dspy.LM("openai/gpt-4o-mini")
    strong_lm = dspy.LM("openai/gpt-4o")
    cheap_lm = dspy.LM("openai/gpt-4o-mini-2024-07-18")
    dspy.configure(lm=default_lm)
    program = dspy.asyncify(Router(cheap_lm, strong_lm))

    requests = [(f"Classify support ticket {n}.", n % 2 == 0) for n in range(8)]
    results = await asyncio.gather(*(program(question=q, hard=h) for q, h in requests))

    for (question, _), result in zip(requests, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    hard = sum(1 for _, h in requests if h)
    assert (len(strong_lm.history), len(cheap_lm.history), len(default_lm.history)) == (
        hard,
        len(requests) - hard,
        0,
    ), (
        f"per-call LMs ignored: strong {len(strong_lm.history)}, cheap {len(cheap_lm.history)}, "
        f"default {len(default_lm.history)} (expected {hard}, {len(requests) - hard}, 0)"
    )
    print(f"{len(results)} answers, each from the LM its call chose")


if __name__ == "__main__":
    asyncio.run(main())
