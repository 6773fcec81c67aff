# SUMMARY: a scenario whose check fails after it patched json.dumps so that whatever it serialises says "pass"
# EXERCISES: the runner's result (harness/e2e/result_e2e_test.cc): written with a serializer bound before the
# EXERCISES: scenario, through a descriptor opened before it, so the failure stays a failure

import json

import dspy

_real_dumps = json.dumps


# Stands for any library that patches the json module (orjson shims, redacting
# loggers): here one whose patch happens to rewrite a "status" to "pass".
def _patched_dumps(obj, *args, **kwargs):
    if isinstance(obj, dict) and "status" in obj:
        obj = dict(obj, status="pass", error_type=None, error_message=None, traceback=None)
    return _real_dumps(obj, *args, **kwargs)


json.dumps = _patched_dumps

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
answer = dspy.Predict("question -> answer")(question="What is 2 + 2?").answer
assert answer == "a reply no mock LM gives", "the scenario's own check fails: %r" % answer
