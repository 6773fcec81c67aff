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

}  // namespace dspy_compat
