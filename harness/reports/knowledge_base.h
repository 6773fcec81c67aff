// What the report knows about DSPy itself: the changes between releases
// that explain a failure signature, and what to do about each. Keyed by a
// regular expression over the error signature and the DSPy versions that
// behave so, so that "No LM is loaded." on 2.5.40 is explained while the
// same text on another release is not explained by the wrong change.
// Facts are those of shared/DOMAIN.md, checked against DSPy's git history.
#pragma once

#include <string_view>
#include <vector>

namespace dspy_compat {

struct Reference {
  std::string_view label;  // "stanfordnlp/dspy#1867"
  std::string_view url;
};

struct KnownChange {
  std::string_view id;
  std::string_view signature_pattern;  // ECMAScript regex, searched in the signature
  std::string_view since;              // first DSPy version that behaves so; "" = any
  std::string_view until;              // first version that no longer does; "" = none yet
  std::string_view title;              // one line, Markdown inline code allowed
  std::string_view change;             // the DSPy change that explains it
  std::string_view cause;              // the same as a noun phrase, for a verdict's sentence
  std::string_view root_cause;
  std::string_view remediation;
  bool regression = true;  // false: present in the releases compared alike, not an upgrade issue
  std::vector<Reference> references;
};

const std::vector<KnownChange>& KnownChanges();

// The first change whose pattern matches `signature` and whose version
// range holds `dspy_version` (an empty version matches only open ranges),
// or nullptr when nothing known explains it.
const KnownChange* Diagnose(std::string_view signature, std::string_view dspy_version);

}  // namespace dspy_compat
