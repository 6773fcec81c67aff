"""A script that switches models with dspy.context, all in the main thread."""

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
summarize = dspy.Predict("document -> summary")
with dspy.context(lm=dspy.LM("openai/gpt-4o")):
    long_summary = summarize(document="A long report about quarterly sales.").summary
short_summary = summarize(document="A short note.").summary
assert long_summary and short_summary
print(long_summary, short_summary)
