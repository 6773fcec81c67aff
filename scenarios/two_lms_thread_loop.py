# SUMMARY: a global LM plus a different LM in dspy.context, event loop in a background thread: which LM answers?
# FAMILY: lm-selection
# EXERCISES: a notebook or server integration runs asyncio outside the main thread; the default LM is configured
# EXERCISES: globally and each request asks for a stronger one with dspy.context; the answers say which model served them
# MOCK-FIXTURE: fixtures/mock/echo-model.json
# LM-DELAY-MS: 20-80
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: fail on dspy>=2.5.40 dspy<2.6
# EXPECT: pass on dspy>=2.6 dspy<3
# EXPECT: pass on dspy>=3

import asyncio
import threading

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
strong_lm = dspy.LM("openai/gpt-4o")
program = dspy.asyncify(dspy.ChainOfThought("question -> answer"))


async def ask(question):
    with dspy.context(lm=strong_lm):
        return await program(question=question)


async def serve(questions):
    return await asyncio.wait_for(asyncio.gather(*(ask(q) for q in questions)), 50)


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
        # The mock LM names the model that served each answer (as a proxy's response header would).
        served = result.answer[result.answer.rfind("[model=") :]
        assert served == "[model=gpt-4o]", f"answered by the wrong LM: {served}"
    print(f"{len(questions)} answers, all from the LM chosen with dspy.context")


if __name__ == "__main__":
    main()
