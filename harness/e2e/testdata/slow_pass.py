# SUMMARY: a scenario that passes after a while (for interrupting a session)
# EXERCISES: Ctrl-C handling: gathered results are kept, running ones are killed

import time

time.sleep(4)
