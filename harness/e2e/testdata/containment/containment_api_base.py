# SUMMARY: gives dspy.LM an explicit api_base on another host; containment must answer it from the mock server
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): an explicit api_base is redirected

import os

import dspy

other_host = os.environ["DSPY_COMPAT_TEST_LISTENER"]  # passed with --pass-env
lm = dspy.LM("openai/gpt-4o-mini", api_base="http://%s/v1" % other_host, api_key="sk-scenario-own")
dspy.configure(lm=lm)
print("answer:", dspy.Predict("question -> answer")(question="What is 2 + 2?").answer)
