# SUMMARY: builds a real-looking anthropic/ model; containment must answer it from the mock server
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): a litellm provider prefix is redirected

import dspy

lm = dspy.LM("anthropic/claude-3-5-sonnet-20241022")
dspy.configure(lm=lm)
print("answer:", dspy.Predict("question -> answer")(question="What is 2 + 2?").answer)
