// Text that came from a run (error messages, tracebacks, output tails) can
// hold anything: markup, control bytes, half a UTF-8 sequence cut at a byte
// limit. These make it safe for the HTML and XML reports.
#pragma once

#include <string>
#include <string_view>

namespace dspy_compat {

// Invalid UTF-8 sequences become U+FFFD, so a renderer never emits bytes a
// browser or an XML parser refuses.
std::string ValidUtf8(std::string_view text);

// &, <, >, " and ' as entities, after ValidUtf8. Control characters other
// than tab, newline and carriage return are dropped: XML 1.0 forbids them
// even as character references.
std::string EscapeXml(std::string_view text);

}  // namespace dspy_compat
