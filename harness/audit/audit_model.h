// The data of an upgrade audit: what the scanner found in a project's
// source (Finding), what the catalogue says each pattern means
// (AuditPattern, from fixtures/audit/patterns.toml), and the two joined with
// the measured outcomes of a results.json (AuditReport), which the SARIF,
// Markdown and annotation writers render.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "results/aggregate.h"

namespace dspy_compat {

// Bad audit input (a patterns file, the scanner's JSON, a results file):
// what() is one line naming the file and the field. Exit 2.
class AuditInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuditPattern {
  std::string id;           // "context-around-asyncify", the scanner's and SARIF's rule id
  std::string title;        // one line
  std::string level;        // SARIF level: "error", "warning" or "note"
  std::string scenario;     // the catalogue scenario that measures it
  std::string remediation;  // Markdown inline code allowed
  std::string help_uri;
};

struct Finding {
  std::string file;  // relative to the scanned folder, '/'-separated
  int line = 0;      // 1-based
  int column = 0;    // 1-based, in characters
  int end_line = 0;
  std::string pattern;
  std::string message;  // the scanner's, naming what it saw where
  std::string snippet;  // the source line, stripped
  bool suppressed = false;
  std::string suppression;  // "ignore" or "ignore[<pattern>]" as written
};

struct ParseFailure {
  std::string file;
  int line = 0;  // 0: unknown
  std::string message;
};

struct Scan {
  std::string python;  // the interpreter's version, "3.11.7"
  int files_scanned = 0;
  double seconds = 0;
  std::vector<std::string> patterns;  // the pattern ids the scanner knows
  std::vector<Finding> findings;      // by file, then line
  std::vector<ParseFailure> parse_errors;
};

// A finding joined with its pattern and what the catalogue measured.
struct AuditEntry {
  Finding finding;
  AuditPattern pattern;
  std::string migrated;  // the scenario whose MIGRATION-OF is pattern.scenario; "" if none
  // Per target of the results (baseline first); empty without --results or
  // when the results did not run the scenario.
  std::vector<Outcome> outcomes;
  std::vector<Verdict> verdicts;  // one per target after the baseline
  std::vector<Outcome> migrated_outcomes;
};

struct AuditReport {
  std::string root;                  // the folder scanned, as given
  std::vector<AuditPattern> rules;   // every pattern, in patterns-file order
  std::vector<AuditEntry> entries;   // unsuppressed first (by file, line), then suppressed
  std::vector<std::string> targets;  // of the results, baseline first; empty without --results
  std::string results_path;          // "" without --results
  Scan scan;                         // files, timing, parse errors (findings moved to entries)

  int Unsuppressed() const;
  int Suppressed() const;
  // Unsuppressed findings whose level is "error" or "warning": what exit 1 is for.
  int Failing() const;
};

}  // namespace dspy_compat
