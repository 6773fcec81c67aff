// Exit codes, documented in the README and in --help; CI scripts rely on them.
#pragma once

namespace dspy_compat {

enum ExitCode : int {
  kExitOk = 0,              // the command did its job (a run finished, whatever its verdicts)
  kExitRegression = 1,      // reserved for the gate: a regression or a behaviour change was found
  kExitUsage = 2,           // a wrong flag, a missing scenario, a malformed file
  kExitInfrastructure = 3,  // a target could not be provisioned, the mock server would not start
  // The gate could not decide (3 as well): an infrastructure error, or a
  // scenario that could not start (unresolved: a syntax error, a missing
  // module or file), which is neither a pass nor a regression.
  kExitInconclusive = 3,
  kExitInterrupted = 130,  // Ctrl-C or SIGTERM; results gathered so far were written
};

}  // namespace dspy_compat
