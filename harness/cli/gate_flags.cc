// dspy-compat gate's flags (the command: gate_command.cc).
#include "cli/flags.h"

namespace dspy_compat {

CLI::App* AddGateFlags(CLI::App& app, GateOptions& gate) {
  auto* cmd = app.add_subcommand(
      "gate",
      "Judge a results.json for CI: exit 0 if nothing is worse than expected, 1 on a "
      "regression or behaviour change, 3 when inconclusive");
  cmd->add_option("results", gate.results, "results.json")->required();
  cmd->add_option("--baseline", gate.baseline,
                  "Accepted outcomes (a baseline file, or an earlier results.json); "
                  "pairs it lists are judged against it, others against EXPECT header "
                  "lines, else against the baseline target");
  cmd->add_flag("--update-baseline", gate.update_baseline,
                "Write the results' outcomes into --baseline FILE (creating it) and exit 0");
  cmd->add_flag("--strict-prompts", gate.strict_prompts,
                "Prompt text that differs from the baseline target's (otherwise a listed "
                "diff) fails the gate as a behaviour change");
  cmd->footer(
      "A pair fails the gate when it does worse than expected (pass < flaky < fail) or, "
      "against a baseline, fails with an error signature the baseline does not list. Doing "
      "better is reported as an unexpected pass. A pair that passes but behaves differently from "
      "the baseline target (another model for a request, prompt format, parameters, number of "
      "LM calls, settings left behind) fails too, unless EXPECT: behaviour-change accepts it. "
      "Harness errors, missing runs and scenarios that could not start give exit 3.");
  return cmd;
}

}  // namespace dspy_compat
