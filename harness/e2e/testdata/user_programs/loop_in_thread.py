"""A web server's event loop runs in a background thread and calls an async program."""

import asyncio
import threading

import dspy

program = dspy.asyncify(dspy.Predict("question -> answer"))
lm = dspy.LM("openai/gpt-4o-mini")


async def answer(question):
    with dspy.context(lm=lm):
        return (await program(question=question)).answer


def serve(results):
    async def all_questions():
        return await asyncio.gather(*(answer(f"Question {n}?") for n in range(4)))

    results.extend(asyncio.run(all_questions()))


results = []
server = threading.Thread(target=serve, args=(results,))
server.start()
server.join()
assert len(results) == 4, f"the server thread answered {len(results)} of 4"
print("\n".join(results))
