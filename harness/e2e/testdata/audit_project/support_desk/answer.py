"""Answers are written by a synchronous program that chooses its own LM,
asyncified once, around the whole program."""

import asyncio

import dspy

from support_desk.formatting import ticket_label


class Answer(dspy.Module):
    def __init__(self, lm):
        super().__init__()
        self.lm = lm
        self.respond = dspy.ChainOfThought("question -> answer")

    def forward(self, question):
        with dspy.context(lm=self.lm):
            return self.respond(question=question)


async def answer_all(numbers):
    program = dspy.asyncify(Answer(dspy.LM("openai/gpt-4o-mini")))
    questions = [f"How do I reopen {ticket_label(n)}?" for n in numbers]
    results = await asyncio.gather(*(program(question=q) for q in questions))
    return [result.answer for result in results]


def main():
    return asyncio.run(answer_all(range(1000, 1004)))
