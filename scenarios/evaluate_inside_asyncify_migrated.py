# SUMMARY: evaluate_inside_asyncify migrated: the two concurrent evaluations take turns (a lock around dspy.Evaluate)
# FAMILY: parallel
# EXERCISES: an async service exposes an evaluation endpoint: a synchronous program runs dspy.Evaluate (DSPy's
# EXERCISES: ParallelExecutor threads) over a small dev set, and the service awaits it through dspy.asyncify
# LM-DELAY-MS: 20-80
# TIMEOUT: 90
# MIGRATION-OF: evaluate_inside_asyncify
# EXPECT: pass

import asyncio
import threading

import dspy


# dspy.Evaluate's progress bars and log redirection are process-wide: one evaluation at a time.
evaluation_lock = threading.Lock()


def score_and_scores(outcome):
    # DSPy 3 returns an EvaluationResult (score, results of (example, prediction, score));
    # 2.x a (score, scores) tuple. Not the pattern under test, so read either.
    if hasattr(outcome, "results"):
        return outcome.score, [score for _, _, score in outcome.results]
    return outcome


class EvaluateQA(dspy.Module):
    def __init__(self):
        super().__init__()
        self.qa = dspy.ChainOfThought("question -> answer")

    def forward(self, batch):
        devset = [
            dspy.Example(question=f"Batch {batch}: what is item {n}?", answer="x").with_inputs("question")
            for n in range(6)
        ]
        evaluate = dspy.Evaluate(
            devset=devset,
            metric=lambda example, prediction, trace=None: bool(prediction.answer.strip()),
            num_threads=4,
            display_progress=False,
            return_all_scores=True,
        )
        with evaluation_lock:
            outcome = evaluate(self.qa)
        score, scores = score_and_scores(outcome)
        return dspy.Prediction(score=score, scores=scores)


async def main():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
    program = dspy.asyncify(EvaluateQA())
    results = await asyncio.gather(program(batch="A"), program(batch="B"))
    for result in results:
        assert len(result.scores) == 6, f"expected 6 scores, got {len(result.scores)}"
        assert all(result.scores), f"some examples failed to evaluate: {result.scores}"
    print("scores:", [r.score for r in results])


if __name__ == "__main__":
    asyncio.run(main())
