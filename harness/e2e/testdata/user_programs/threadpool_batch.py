"""A batch job: a global LM and a thread pool of synchronous predictions."""

from concurrent.futures import ThreadPoolExecutor

import dspy

dspy.configure(lm=dspy.LM("openai/gpt-4o-mini"))
extract = dspy.Predict("invoice -> total")

with ThreadPoolExecutor(max_workers=4) as pool:
    totals = list(pool.map(lambda n: extract(invoice=f"Invoice {n}: 3 items").total, range(8)))
assert len(totals) == 8
print(totals)
