# SUMMARY: configure_in_worker_thread migrated: dspy.configure in the main thread before the server's loop thread starts
# FAMILY: threads
# EXERCISES: the same background-thread server, with the LM configured once in the main thread at process start, so
# EXERCISES: the global settings every asyncify worker falls back to hold it
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# MIGRATION-OF: configure_in_worker_thread
# EXPECT: pass

import asyncio
import threading

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
program = dspy.asyncify(dspy.ChainOfThought("question -> answer"))


async def serve(questions):
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
