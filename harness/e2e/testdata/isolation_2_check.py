# SUMMARY: checks that nothing an earlier scenario changed in its process is visible here
# EXERCISES: warm-start isolation (harness/e2e/warm_e2e_test.cc), after isolation_1_dirty on the same
# EXERCISES: warm interpreter: settings, LM caches, threads, environment, open files, temporary folder

import os
import subprocess
import sys
import tempfile
import threading

import dspy
import litellm

lm_module = sys.modules["dspy.clients.lm"]
run_folder = os.getcwd()


def check(condition, what):
    if not condition:
        raise AssertionError("visible from an earlier run: " + what)


# Open files first, before this run opens any of its own (LM cache, HTTP).
for fd in sorted(int(n) for n in os.listdir("/proc/self/fd")):
    try:
        target = os.readlink("/proc/self/fd/%d" % fd)
    except OSError:
        continue  # the listing's own descriptor
    check(fd <= 2 or target.startswith(run_folder + "/") or target.startswith("/proc/"),
          "file descriptor %d -> %s" % (fd, target))

check(dspy.settings.lm is None, "dspy.settings.lm = %r" % (dspy.settings.lm,))
check("isolation_marker" not in dspy.settings.config, "dspy.settings isolation_marker")
check(not hasattr(dspy, "isolation_marker"), "an attribute set on the dspy module")
check(lm_module.cached_litellm_completion.cache_info().currsize == 0, "DSPy's in-process LM cache")
check(dspy.clients.DISK_CACHE_DIR == os.environ["DSPY_CACHEDIR"],
      "DISK_CACHE_DIR %s" % dspy.clients.DISK_CACHE_DIR)
disk = litellm.cache.cache.disk_cache
check(os.path.realpath(disk.directory) == os.path.realpath(os.environ["DSPY_CACHEDIR"]),
      "litellm's disk cache in %s" % disk.directory)
check(len(disk) == 0, "%d entries in litellm's disk cache" % len(disk))

check(threading.active_count() == 1, "threads %r" % threading.enumerate())
check(len(os.listdir("/proc/self/task")) == 1, "OS threads")

check("DSPY_COMPAT_ISOLATION_MARKER" not in os.environ, "an environment variable")
env_seen_by_children = subprocess.run(["env"], capture_output=True, text=True, check=True).stdout
check("DSPY_COMPAT_ISOLATION_MARKER" not in env_seen_by_children,
      "an environment variable, in a child process")
check(os.environ["HOME"] == os.path.join(run_folder, "home"), "HOME %s" % os.environ["HOME"])
check(tempfile.gettempdir() == os.environ["TMPDIR"], "tempfile.gettempdir() %s" % tempfile.gettempdir())

# The same question as the earlier run: it must reach the mock server (the
# harness checks lm_requests), not come from a cache.
dspy.settings.configure(lm=dspy.LM("openai/gpt-4o-mini"))
answer = dspy.Predict("question -> answer")(question="What does the isolation probe return?")
assert answer.answer.strip(), "empty answer"
check(lm_module.cached_litellm_completion.cache_info().hits == 0, "an in-process cache hit")
print("check: nothing visible")
