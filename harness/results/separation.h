// Whether two pairs' failure counts differ by more than chance: the
// one-sided Fisher exact test. A race that fails 6% of the time on both
// releases gives 0/24 on one and 2/24 on the other often enough (p = 0.24)
// that such a difference must not be read as a regression without more
// runs; adaptive repetitions use this to decide when to run both sides
// again, and verdicts carry it so a report can say "could be chance".
#pragma once

namespace dspy_compat {

// With the total number of failures fixed, the probability that the side
// with the higher failure rate would have at least as many failures as it
// has (the hypergeometric upper tail). 1 when either side has no runs or
// nothing failed: no evidence of a difference. Equal rates give a p of at
// least one half.
double OneSidedFisher(int runs_a, int failures_a, int runs_b, int failures_b);

}  // namespace dspy_compat
