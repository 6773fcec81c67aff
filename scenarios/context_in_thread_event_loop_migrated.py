# SUMMARY: context_in_thread_event_loop migrated: the event loop still runs in a background thread, the LM is set inside the program
# FAMILY: threads
# EXERCISES: a server-style event loop outside the main thread serves requests through a program asyncified at import
# EXERCISES: time; the program sets its LM with dspy.context inside its synchronous forward, in the worker thread
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# MIGRATION-OF: context_in_thread_event_loop
# EXPECT: pass

import asyncio
import threading

import dspy


class QA(dspy.Module):
    def __init__(self, lm):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")
        self.lm = lm

    def forward(self, question):
        with dspy.context(lm=self.lm):
            return self.generate(question=question)


program = dspy.asyncify(QA(dspy.LM("openai/gpt-4o-mini")))


async def serve(questions):
    return await asyncio.gather(*(program(question=q) for q in questions))


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
