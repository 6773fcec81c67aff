// Small reports shared by the writers' tests: two findings of the #1867
// module (one suppressed), measured on two targets.
#pragma once

#include "audit/audit_report.h"
#include "core/model.h"

namespace dspy_compat::audit_test {

inline AuditPattern ContextPattern() {
  return {"context-around-asyncify",
          "dspy.context(...) around an awaited asyncified call",
          "error",
          "ctx_scenario",
          "Enter `dspy.context` inside the program.",
          "https://github.com/stanfordnlp/dspy/issues/1867"};
}

inline AuditPattern AsyncifyPattern() {
  return {"asyncify-not-outermost",
          "dspy.asyncify built inside a module",
          "warning",
          "asyncify_scenario",
          "Asyncify once, at the outermost level.",
          "https://github.com/stanfordnlp/dspy/issues/1867"};
}

inline Finding MakeFinding(std::string file, int line, int column, std::string pattern,
                           bool suppressed = false) {
  Finding f;
  f.file = std::move(file);
  f.line = line;
  f.column = column;
  f.end_line = line;
  f.pattern = std::move(pattern);
  f.message = "dspy.context(...) around an awaited asyncified call (line 12)";
  f.snippet = "with dspy.context(lm=self.lm):";
  f.suppressed = suppressed;
  if (suppressed) f.suppression = "ignore[" + f.pattern + "]";
  return f;
}

inline Scenario MakeScenario(std::string id, std::string migration_of = "") {
  Scenario s;
  s.id = std::move(id);
  s.migration_of = std::move(migration_of);
  return s;
}

// ctx_scenario: 3/3 pass on old, 0/3 on new; its migrated variant passes both.
inline Results MeasuredResults() {
  Results results;
  for (const char* name : {"old", "new"}) {
    TargetInfo target;
    target.name = name;
    results.environment.targets.push_back(target);
  }
  results.environment.scenarios = {"ctx_scenario", "ctx_scenario_migrated"};
  int n = 0;
  for (const char* target : {"old", "new"}) {
    for (const char* scenario : {"ctx_scenario", "ctx_scenario_migrated"}) {
      for (int rep = 1; rep <= 3; ++rep) {
        RunResult run;
        run.scenario_id = scenario;
        run.target_name = target;
        run.repetition = rep;
        run.run_id = "r" + std::to_string(++n);
        bool fails = std::string(target) == "new" && std::string(scenario) == "ctx_scenario";
        run.status = fails ? Status::kFail : Status::kPass;
        if (fails) {
          run.error_type = "AssertionError";
          run.error_message = "No LM is loaded.";
        }
        results.runs.push_back(run);
      }
    }
  }
  return results;
}

inline AuditReport MakeReport(const Results* results) {
  AuditInputs inputs;
  inputs.scan.files_scanned = 3;
  inputs.scan.seconds = 0.25;
  inputs.scan.findings = {MakeFinding("pkg/qa.py", 21, 14, "context-around-asyncify"),
                          MakeFinding("pkg/qa.py", 17, 26, "asyncify-not-outermost", true)};
  inputs.scan.parse_errors = {{"pkg/broken.py", 1, "SyntaxError: invalid syntax"}};
  inputs.patterns = {AsyncifyPattern(), ContextPattern()};
  inputs.catalogue = {MakeScenario("ctx_scenario"),
                      MakeScenario("ctx_scenario_migrated", "ctx_scenario"),
                      MakeScenario("asyncify_scenario")};
  inputs.results = results;
  inputs.results_path = results ? "out/results.json" : "";
  inputs.root = "app";
  return BuildAuditReport(std::move(inputs));
}

}  // namespace dspy_compat::audit_test
