# SUMMARY: leaves process state behind: dspy settings, both LM caches, a thread, an environment variable
# EXERCISES: warm-start isolation (harness/e2e/warm_e2e_test.cc): isolation_2_check, run after it in a
# EXERCISES: process forked from the same warm interpreter, must see none of what this one changed

import os
import sys
import tempfile
import threading
import time

import dspy
import litellm

lm_module = sys.modules["dspy.clients.lm"]

dspy.settings.configure(lm=dspy.LM("openai/gpt-4o-mini"), isolation_marker="dirty")
answer = dspy.Predict("question -> answer")(question="What does the isolation probe return?")
assert answer.answer.strip(), "empty answer"
# DSPy 2.5 keeps the response twice: an in-process lru_cache and litellm's disk cache.
assert lm_module.cached_litellm_completion.cache_info().currsize == 1
assert len(litellm.cache.cache.disk_cache) >= 1, "the disk cache was not filled"

threading.Thread(target=time.sleep, args=(3600,), name="left-behind").start()
os.environ["DSPY_COMPAT_ISOLATION_MARKER"] = "dirty"
dspy.isolation_marker = "dirty"
tempfile.tempdir = "/nonexistent/dirty-tempdir"
left_open = open(os.path.join(os.environ["HOME"], "left-open.txt"), "w")
print("dirty: done")
