# SUMMARY: dspy.context(lm=...) around an asyncified program, with the asyncio event loop running outside the main thread
# FAMILY: threads
# EXERCISES: the program is asyncified at import time in the main thread, but requests are served by an event loop in
# EXERCISES: a background thread (as a server or notebook integration does); each request sets its LM with dspy.context
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: fail-or-flaky on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio
import threading

import dspy

program = dspy.asyncify(dspy.ChainOfThought("question -> answer"))
lm = dspy.LM("openai/gpt-4o-mini")


async def handle(question):
    with dspy.context(lm=lm):
        return await program(question=question)


async def serve(questions):
    return await asyncio.gather(*(handle(q) for q in questions))


def main():
    questions = [f"What does error code {n} mean?" for n in range(4)]
    outcome = {}

    def loop_thread():
        try:
            outcome["results"] = asyncio.run(serve(questions))
        except BaseException as exc:  # re-raised in the main thread below
            outcome["error"] = exc

    thread = threading.Thread(target=loop_thread, name="event-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]

    results = outcome["results"]
    assert len(results) == len(questions), f"expected {len(questions)} results, got {len(results)}"
    for question, result in zip(questions, results):
        assert result.answer.strip(), f"empty answer for {question!r}"
    print(f"{len(results)} answers")


if __name__ == "__main__":
    main()
