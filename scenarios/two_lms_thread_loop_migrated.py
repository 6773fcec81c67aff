# SUMMARY: two_lms_thread_loop migrated: the requested LM is passed into the program and set inside it
# FAMILY: lm-selection
# EXERCISES: the same background-thread event loop and two LMs; the request hands its LM to a synchronous program that
# EXERCISES: sets it with dspy.context inside forward (in the worker thread); the answers say which model served them
# MOCK-FIXTURE: fixtures/mock/echo-model.json
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# MIGRATION-OF: two_lms_thread_loop
# EXPECT: pass

import asyncio
import threading

import dspy


class Routed(dspy.Module):
    def __init__(self):
        super().__init__()
        self.generate = dspy.ChainOfThought("question -> answer")

    def forward(self, question, lm):
        with dspy.context(lm=lm):
            return self.generate(question=question)


dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
strong_lm = dspy.LM("openai/gpt-4o")
program = dspy.asyncify(Routed())


async def serve(questions):
    return await asyncio.wait_for(asyncio.gather(*(program(question=q, lm=strong_lm) for q in questions)), 50)


def main():
    questions = [f"Draft a reply to email {n}." for n in range(3)]
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

    for question, result in zip(questions, outcome["results"]):
        print(f"{question} -> {result.answer}")
        served = result.answer[result.answer.rfind("[model=") :]
        assert served == "[model=gpt-4o]", f"answered by the wrong LM: {served}"
    print(f"{len(questions)} answers, all from the chosen LM")


if __name__ == "__main__":
    main()
