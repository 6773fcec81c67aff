# SUMMARY: a scenario that hangs, with a child process that hangs too
# EXERCISES: the harness's time limit: the run is killed with its whole process group

import subprocess
import time

subprocess.Popen(["sleep", "300"])
time.sleep(300)
