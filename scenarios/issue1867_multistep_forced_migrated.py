# SUMMARY: the two-step #1867 pattern migrated (dspy.context inside the program), under the same forced interleaving
# FAMILY: issue1867
# EXERCISES: the maintainers' rewrite checked against the interleaving that breaks the original: the program sets its
# EXERCISES: LM with dspy.context inside its synchronous forward, asyncified once; the mock LM holds the second call
# MOCK-FIXTURE: fixtures/mock/issue1867-interleave.json
# TIMEOUT: 60
# MIGRATION-OF: issue1867_multistep_forced
# EXPECT: pass

import asyncio

import dspy


class AnswerThenSummarise(dspy.Module):
    def __init__(self, lm):
        super().__init__()
        self.answer = dspy.Predict("question -> answer")
        self.summary = dspy.Predict("answer -> summary")
        self.lm = lm

    def forward(self, question):
        with dspy.context(lm=self.lm):
            answered = self.answer(question=question)
            return self.summary(answer=answered.answer)


async def main():
    program = dspy.asyncify(AnswerThenSummarise(dspy.LM("openai/gpt-4o-mini")))
    questions = ["first-call", "second-call"]
    results = await asyncio.gather(*(program(question=q) for q in questions))
    for question, result in zip(questions, results):
        assert result.summary.strip(), f"empty summary for {question!r}"
    print(f"{len(results)} summaries")


if __name__ == "__main__":
    asyncio.run(main())
