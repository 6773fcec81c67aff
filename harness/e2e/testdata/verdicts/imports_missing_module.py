# SUMMARY: a program that imports a module no target has: it never starts, on either release
# TIMEOUT: 30

import dspy
import myapp_that_does_not_exist  # noqa: F401

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
print(dspy.Predict("question -> answer")(question="Why?").answer)
