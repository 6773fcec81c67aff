# SUMMARY: does nothing but import dspy: what the harness itself costs per run
# EXERCISES: per-run overhead, warm and cold (scripts/bench-matrix.sh)

import dspy

assert dspy.Predict
