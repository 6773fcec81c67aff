# SUMMARY: a scenario that allocates memory without end
# EXERCISES: the harness's per-run memory limit: the run ends as an error naming the limit, the machine keeps its memory

chunks = []
while True:
    chunks.append(bytearray(64 * 1024 * 1024))
