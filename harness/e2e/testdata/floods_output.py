# SUMMARY: a scenario that prints without end
# EXERCISES: the harness's per-run output limit: the run is stopped and reported as an error, its output file bounded

line = "x" * 1023 + "\n"
while True:
    print(line, end="")
