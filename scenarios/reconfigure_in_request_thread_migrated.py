# SUMMARY: reconfigure_in_request_thread migrated: the handler thread picks its LM with dspy.context, not dspy.configure
# FAMILY: threads
# EXERCISES: dspy.configure once in the main thread at start-up; each request-handler thread sets its tenant's LM with
# EXERCISES: dspy.context(lm=...) around the program call
# LM-DELAY-MS: 5-15
# TIMEOUT: 60
# MIGRATION-OF: reconfigure_in_request_thread
# EXPECT: pass

import threading

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
program = dspy.ChainOfThought("question -> answer")


def handle(question, tenant_model, outcome):
    try:
        with dspy.context(lm=dspy.LM(tenant_model)):
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
