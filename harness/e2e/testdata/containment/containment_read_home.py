# SUMMARY: tries to read an SSH key in the user's home folder (not the run's own HOME)
# EXERCISES: containment (harness/e2e/containment_e2e_test.cc): the user's home is hidden from runs

import os

key = os.path.join(os.environ["DSPY_COMPAT_TEST_USER_HOME"], ".ssh", "id_ed25519")
try:
    with open(key) as f:
        print("key readable:", f.read().strip())
except OSError as exc:
    print("key unreadable:", exc.strerror)
