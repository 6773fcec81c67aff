// JUnit XML, in the Jenkins flavour (testsuites > testsuite > testcase with
// failure/error/skipped, surefire's flakyFailure), for CI systems that draw
// test results: one testsuite per target, one testcase per scenario on it.
// Rendered from Results alone; harness/reports/testdata/jenkins-junit.xsd
// is the schema the output is tested against.
#pragma once

#include <string>

#include "core/model.h"
#include "reports/knowledge_base.h"

namespace dspy_compat {

// A testcase's result follows the gate (expectations from the scenario
// headers, or the default comparison with the baseline target):
//   - a regression (worse than expected): <failure>, with the top error
//     signature as message and an example traceback as text;
//   - a harness error: <error> (infrastructure, never a failure);
//   - a failure that was expected or is not new: <skipped>, saying why;
//   - passing, or an unexpected pass: no child (the latter says so in
//     <system-out>).
// A pair that failed only sometimes also carries one <flakyFailure> per
// error signature, which Jenkins shows as flaky. Deterministic.
std::string RenderJunit(const Results& results, const KnowledgeBase& knowledge);

}  // namespace dspy_compat
