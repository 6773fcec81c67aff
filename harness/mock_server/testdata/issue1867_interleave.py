"""The stanfordnlp/dspy#1867 pattern, made deterministic by fixtures/mock/issue1867-interleave.json:
an asyncified two-predictor module called twice concurrently, each call inside
dspy.context(lm=...). With the fixture loaded, DSPy 2.5.40 raises "No LM is loaded." in the second
call every time; 2.5.39 passes every time.

    python issue1867_interleave.py API_BASE
"""

import asyncio
import os
import sys

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import dspy  # noqa: E402


class TwoSteps(dspy.Module):
    def __init__(self):
        super().__init__()
        self.answer = dspy.Predict("question -> answer")
        self.summary = dspy.Predict("answer -> summary")

    def forward(self, question):
        answered = self.answer(question=question)
        return self.summary(answer=answered.answer)


async def main(api_base):
    lm = dspy.LM("openai/gpt-4o-mini", api_base=api_base, api_key="sk-mock", cache=False)
    program = dspy.asyncify(TwoSteps())

    async def call(question):
        with dspy.context(lm=lm):
            return await program(question=question)

    results = await asyncio.gather(call("first-call"), call("second-call"), return_exceptions=True)
    for question, result in zip(("first-call", "second-call"), results):
        outcome = f"{type(result).__name__}: {result}" if isinstance(result, Exception) else "ok"
        print(f"{question}: {outcome}", flush=True)
    return 1 if any(isinstance(r, Exception) for r in results) else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1])))
