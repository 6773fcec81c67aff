# SUMMARY: dspy.configure called from a non-main thread (a server's event loop at startup), then an asyncified program
# FAMILY: threads
# EXERCISES: dspy.configure from a non-main thread: a server runs its event loop in a background thread and configures
# EXERCISES: the LM in its startup coroutine, then serves requests through a program asyncified at import time
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


async def startup():
    dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))


async def serve(questions):
    await startup()
    return await asyncio.gather(*(program(question=q) for q in questions))


def main():
    questions = [f"Which plan suits customer {n}?" for n in range(4)]
    outcome = {}

    def loop_thread():
        try:
            outcome["results"] = asyncio.run(serve(questions))
        except BaseException as exc:  # re-raised in the main thread below
            outcome["error"] = exc

    thread = threading.Thread(target=loop_thread, name="server-loop")
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
