# SUMMARY: reads provider keys and a user secret from its environment and prints them
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): keys reach a scenario only as dummies

import os

for name in ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "DSPY_COMPAT_E2E_SECRET"):
    print("%s=%s" % (name, os.environ.get(name)))
