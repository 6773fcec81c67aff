# SUMMARY: calls litellm directly (not through dspy.LM) with an anthropic/ model on another host
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): what is not redirected is blocked and reported

import os

import litellm

other_host = os.environ["DSPY_COMPAT_TEST_LISTENER"]
try:
    litellm.completion(model="anthropic/claude-3-5-sonnet-20241022", api_base="http://%s" % other_host, api_key="sk-scenario-own",
                       messages=[{"role": "user", "content": "hi"}], num_retries=0, timeout=5)
except Exception as exc:
    print("swallowed:", type(exc).__name__)
print("done")
