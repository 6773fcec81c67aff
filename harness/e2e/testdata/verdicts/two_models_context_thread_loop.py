# SUMMARY: per-request LM chosen with dspy.context, asyncified program, event loop in a thread; passes on both
# EXERCISES: a server's event loop runs outside the main thread; the default LM is configured globally and each
# EXERCISES: request asks for a stronger one with dspy.context; nothing checks which model answered
# TIMEOUT: 60

import asyncio
import threading

import dspy

dspy.configure(lm=dspy.LM("openai/weak-model"))
strong_lm = dspy.LM("openai/strong-model")
program = dspy.asyncify(dspy.Predict("question -> answer"))


async def ask(question):
    with dspy.context(lm=strong_lm):
        return await program(question=question)


async def serve(questions):
    return await asyncio.gather(*(ask(q) for q in questions))


def main():
    questions = [f"Draft a reply to email {n}." for n in range(3)]
    outcome = {}

    def loop_thread():
        outcome["results"] = asyncio.run(serve(questions))

    thread = threading.Thread(target=loop_thread, name="event-loop")
    thread.start()
    thread.join()
    assert len(outcome["results"]) == len(questions)
    print(f"{len(questions)} answers")


main()
