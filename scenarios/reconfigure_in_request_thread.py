# SUMMARY: the LM configured at start-up in the main thread, then dspy.configure again in a request-handler thread
# FAMILY: threads
# EXERCISES: dspy.configure in the main thread at start-up, then each request handler (a thread of a threaded
# EXERCISES: server) calls dspy.configure(lm=...) to pick its tenant's model before running the program
# LM-DELAY-MS: 5-15
# TIMEOUT: 60
# EXPECT: pass
# EXPECT: fail on dspy>=2.6 dspy<3
# EXPECT: fail on dspy>=3

import threading

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
program = dspy.ChainOfThought("question -> answer")


def handle(question, tenant_model, outcome):
    try:
        dspy.configure(lm=dspy.LM(tenant_model))
        outcome[question] = program(question=question)
    except BaseException as exc:  # re-raised in the main thread below
        outcome[question] = exc


def main():
    outcome = {}
    question = "Which plan suits this tenant?"
    thread = threading.Thread(target=handle, args=(question, "openai/gpt-4o", outcome))
    thread.start()
    thread.join()
    if isinstance(outcome[question], BaseException):
        raise outcome[question]
    assert outcome[question].answer.strip(), "empty answer"
    print("1 answer")


if __name__ == "__main__":
    main()
