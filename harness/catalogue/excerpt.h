// The few lines of a scenario program a report shows as "the pattern": the
// calls that decide how DSPy settings reach worker threads (dspy.asyncify,
// dspy.context, dspy.configure, asyncio.gather/run, threads), with the block
// headers that enclose them, so a reader sees where each call sits.
#pragma once

#include <string>
#include <string_view>

namespace dspy_compat {

// Skipped stretches become one "..." line at the indentation of what they
// hid. At most kExcerptLines lines; a program with no such call gives its
// first lines after the header and imports. Empty for an empty program.
inline constexpr int kExcerptLines = 24;
std::string ExtractExcerpt(std::string_view program);

// The source of one test of a pytest file, `test_x` or `TestC::test_x` (its
// decorators, its `def` line and its body, as far as the indentation goes),
// so that a test's excerpt is its own code, not the file's first test. Empty
// when the file has no such function at that place.
std::string TestSource(std::string_view program, std::string_view test);

}  // namespace dspy_compat
