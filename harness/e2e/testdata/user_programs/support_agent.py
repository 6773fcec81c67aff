"""A support agent as a team writes it: one async module, many requests at once."""

import asyncio

import dspy


class SupportAgent(dspy.Module):
    def __init__(self):
        super().__init__()
        self.answer = dspy.asyncify(dspy.ChainOfThought("ticket -> reply"))
        self.lm = dspy.LM("openai/gpt-4o-mini")

    async def forward(self, ticket):
        with dspy.context(lm=self.lm):
            return await self.answer(ticket=ticket)


async def main():
    agent = SupportAgent()
    tickets = [f"Customer {n} cannot log in after the password reset." for n in range(16)]
    replies = await asyncio.gather(*(agent(ticket=t) for t in tickets))
    assert all(r.reply.strip() for r in replies)
    print(f"{len(replies)} replies")


if __name__ == "__main__":
    asyncio.run(main())
