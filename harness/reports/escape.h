// Text that came from a run (error messages, tracebacks, output tails) can
// hold anything: markup, control bytes, half a UTF-8 sequence cut at a byte
// limit. These make it safe for the HTML and XML reports, and keep it plain
// text in the Markdown ones (the report's and the audit's).
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

// Plain text on one line of Markdown: newlines and tabs become spaces, and
// each character that could start markup gets a backslash, so that
// `__init__` stays a name and does not render as a bold "init".
std::string EscapeMarkdown(std::string_view text);

// Markdown made fit for a GFM table cell. GFM splits rows on every pipe,
// even inside code spans, and turns each "\|" back into "|" before reading
// the cell's inline content; so every pipe gets one backslash, whatever
// precedes it. A newline, which would end the row, becomes a space.
std::string MarkdownCell(std::string_view markdown);

}  // namespace dspy_compat
