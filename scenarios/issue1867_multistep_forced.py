# SUMMARY: the two-step #1867 pattern, 2 concurrent calls, with the mock LM forcing the losing interleaving
# FAMILY: issue1867
# FORCES: issue1867_multistep_concurrent
# EXERCISES: forced race: two calls of an asyncified answer-then-summarise program, each inside dspy.context(lm=...);
# EXERCISES: the mock LM holds the second call's first answer until the first call has finished (and left its context)
# MOCK-FIXTURE: fixtures/mock/issue1867-interleave.json
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: fail on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio

import dspy


class AnswerThenSummarise(dspy.Module):
    def __init__(self):
        super().__init__()
        self.answer = dspy.Predict("question -> answer")
        self.summary = dspy.Predict("answer -> summary")

    def forward(self, question):
        answered = self.answer(question=question)
        return self.summary(answer=answered.answer)


program = dspy.asyncify(AnswerThenSummarise())
lm = dspy.LM("openai/gpt-4o-mini")


async def call(question):
    with dspy.context(lm=lm):
        return await program(question=question)


async def main():
    # Question texts are what the fixture recognises the two calls by.
    questions = ["first-call", "second-call"]
    results = await asyncio.gather(*(call(q) for q in questions))
    for question, result in zip(questions, results):
        assert result.summary.strip(), f"empty summary for {question!r}"
    print(f"{len(results)} summaries")


if __name__ == "__main__":
    asyncio.run(main())
