#include "results/separation.h"

#include <algorithm>
#include <boost/math/distributions/hypergeometric.hpp>

namespace dspy_compat {

double OneSidedFisher(int runs_a, int failures_a, int runs_b, int failures_b) {
  if (runs_a <= 0 || runs_b <= 0) return 1;
  failures_a = std::clamp(failures_a, 0, runs_a);
  failures_b = std::clamp(failures_b, 0, runs_b);
  // The side with the higher rate (compared without division).
  const bool a_worse =
      static_cast<long long>(failures_a) * runs_b >= static_cast<long long>(failures_b) * runs_a;
  const unsigned runs = static_cast<unsigned>(a_worse ? runs_a : runs_b);
  const unsigned failures = static_cast<unsigned>(a_worse ? failures_a : failures_b);
  const unsigned total_failures = static_cast<unsigned>(failures_a + failures_b);
  const unsigned total_runs = static_cast<unsigned>(runs_a + runs_b);
  // X, that side's failures, drawn from all runs' failures; its support
  // starts at the failures the other side cannot hold.
  const unsigned lowest =
      total_failures > total_runs - runs ? total_failures - (total_runs - runs) : 0;
  if (failures <= lowest) return 1;
  boost::math::hypergeometric_distribution<double> x(total_failures, runs, total_runs);
  return boost::math::cdf(boost::math::complement(x, failures - 1));
}

}  // namespace dspy_compat
