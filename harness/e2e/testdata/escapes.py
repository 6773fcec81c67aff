# SUMMARY: kills its parent, and leaves a setsid child and a double-forked daemon behind
# EXERCISES: the sandbox (harness/e2e/warm_e2e_test.cc): neither the harness nor a warm interpreter dies, nothing outlives the run

import os
import signal
import subprocess
import sys

# Their command lines name the run's folder (inside the test's output
# folder), so the test finds them and no other machine's sleep.
sleeper = [sys.executable, "-c", "import time; time.sleep(300)", os.getcwd()]
subprocess.Popen(sleeper, start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, sleeper)
    os._exit(0)
os.wait()
os.kill(os.getppid(), signal.SIGKILL)
print("still running after killing my parent")
