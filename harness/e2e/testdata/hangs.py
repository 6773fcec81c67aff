# SUMMARY: a scenario that hangs, with a child process that hangs too
# EXERCISES: the harness's time limit: the run is killed with its whole process group

import os
import subprocess
import sys
import time

# The child's command line names the run's folder (inside the test's own
# output folder), so the test finds this child and no other machine's sleep.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", os.getcwd()])
time.sleep(300)
