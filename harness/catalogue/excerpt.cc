#include "catalogue/excerpt.h"

#include <string_view>
#include <vector>

namespace dspy_compat {
namespace {

struct Line {
  std::string text;
  std::size_t indent = 0;
  bool blank = true;
};

std::vector<Line> SplitLines(std::string_view program) {
  std::vector<Line> lines;
  while (!program.empty()) {
    std::size_t end = program.find('\n');
    std::string text(program.substr(0, end));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) {
      text.pop_back();
    }
    Line line;
    line.indent = text.find_first_not_of(' ');
    line.blank = line.indent == std::string::npos;
    if (line.blank) line.indent = 0;
    line.text = std::move(text);
    lines.push_back(std::move(line));
    if (end == std::string_view::npos) break;
    program.remove_prefix(end + 1);
  }
  return lines;
}

bool IsKey(const std::string& text) {
  // A call named in a message or a comment is not a call.
  std::size_t first = text.find_first_not_of(' ');
  if (first != std::string::npos &&
      std::string_view("\"'#fbru").find(text[first]) != std::string_view::npos) {
    char c = text[first];
    bool literal = c == '"' || c == '\'' || c == '#' ||
                   (first + 1 < text.size() && (text[first + 1] == '"' || text[first + 1] == '\''));
    if (literal) return false;
  }
  // Substring search, not std::regex: a scenario's line can be any length.
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  for (std::string_view call : {"dspy.asyncify(", "dspy.context(", "dspy.configure(",
                                "asyncio.gather(", "asyncio.run(", "threading.Thread("}) {
    for (auto at = text.find(call); at != std::string::npos; at = text.find(call, at + 1)) {
      if (at == 0 || !word_char(text[at - 1])) return true;  // \b before the name
    }
  }
  return false;
}

// The header, the imports and the blank lines around them: the excerpt
// starts after them.
std::size_t BodyStart(const std::vector<Line>& lines) {
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string& t = lines[i].text;
    bool skip =
        lines[i].blank || t.starts_with("#") || t.starts_with("import ") || t.starts_with("from ");
    if (!skip) break;
    ++i;
  }
  return i;
}

// The index of the line defining `name` (`def`, `async def` or `class`)
// among lines[from, to) at exactly `indent`; npos when there is none.
std::size_t FindDefinition(const std::vector<Line>& lines, std::size_t from, std::size_t to,
                           std::size_t indent, std::string_view name, bool is_class) {
  for (std::size_t i = from; i < to; ++i) {
    if (lines[i].blank || lines[i].indent != indent) continue;
    std::string_view t = std::string_view(lines[i].text).substr(indent);
    if (is_class) {
      if (!t.starts_with("class ")) continue;
      t.remove_prefix(6);
    } else {
      if (t.starts_with("async ")) t.remove_prefix(6);
      if (!t.starts_with("def ")) continue;
      t.remove_prefix(4);
    }
    if (t.starts_with(name) && t.size() > name.size() &&
        (t[name.size()] == '(' || t[name.size()] == ':' || t[name.size()] == ' ')) {
      return i;
    }
  }
  return std::string_view::npos;
}

// One past the last line of the block that line `at` opens: every following
// line that is blank or indented deeper (trailing blank lines dropped).
std::size_t BlockEnd(const std::vector<Line>& lines, std::size_t at) {
  std::size_t end = at + 1;
  for (std::size_t i = at + 1; i < lines.size(); ++i) {
    if (lines[i].blank) continue;
    if (lines[i].indent <= lines[at].indent) break;
    end = i + 1;
  }
  return end;
}

}  // namespace

std::string TestSource(std::string_view program, std::string_view test) {
  std::vector<Line> lines = SplitLines(program);
  std::size_t from = 0, to = lines.size(), indent = 0;
  std::string_view name = test;
  if (auto sep = test.find("::"); sep != std::string_view::npos) {
    const std::size_t cls = FindDefinition(lines, 0, lines.size(), 0, test.substr(0, sep), true);
    if (cls == std::string_view::npos) return "";
    from = cls + 1;
    to = BlockEnd(lines, cls);
    for (std::size_t i = from; i < to; ++i) {
      if (!lines[i].blank) {
        indent = lines[i].indent;
        break;
      }
    }
    name = test.substr(sep + 2);
  }
  const std::size_t def = FindDefinition(lines, from, to, indent, name, false);
  if (def == std::string_view::npos) return "";
  std::size_t first = def;
  while (first > from && !lines[first - 1].blank && lines[first - 1].indent == indent &&
         lines[first - 1].text[indent] == '@') {
    --first;
  }
  std::string text;
  for (std::size_t i = first; i < BlockEnd(lines, def); ++i) {
    text += lines[i].text.substr(std::min(indent, lines[i].text.size())) + "\n";
  }
  return text;
}

std::string ExtractExcerpt(std::string_view program) {
  std::vector<Line> lines = SplitLines(program);
  const std::size_t start = BodyStart(lines);
  std::vector<bool> keep(lines.size(), false);
  bool any = false;
  for (std::size_t i = start; i < lines.size(); ++i) {
    if (lines[i].blank || !IsKey(lines[i].text)) continue;
    any = true;
    keep[i] = true;
    // A key line that opens a block (a with) shows its first statement.
    if (lines[i].text.back() == ':') {
      for (std::size_t j = i + 1; j < lines.size(); ++j) {
        if (lines[j].blank) continue;
        if (lines[j].indent > lines[i].indent) keep[j] = true;
        break;
      }
    }
    // Every enclosing block header, out to the top level.
    std::size_t indent = lines[i].indent;
    for (std::size_t j = i; j-- > start && indent > 0;) {
      if (lines[j].blank || lines[j].indent >= indent) continue;
      indent = lines[j].indent;
      if (lines[j].text.back() == ':') keep[j] = true;
    }
  }
  if (!any) {
    for (std::size_t i = start; i < lines.size() && i < start + 12; ++i) keep[i] = true;
  }

  std::vector<std::string> out;
  std::size_t last_kept = start;
  bool first = true;
  for (std::size_t i = start; i < lines.size(); ++i) {
    if (!keep[i]) continue;
    if (!first && i > last_kept + 1) {
      // A gap: one "..." at the indentation of the first code line it hides,
      // or nothing but a blank line when it hid only blank lines.
      const Line* hidden = nullptr;
      for (std::size_t j = last_kept + 1; j < i && hidden == nullptr; ++j) {
        if (!lines[j].blank) hidden = &lines[j];
      }
      out.push_back(hidden == nullptr ? "" : std::string(hidden->indent, ' ') + "...");
    }
    out.push_back(lines[i].text);
    last_kept = i;
    first = false;
  }
  if (out.size() > static_cast<std::size_t>(kExcerptLines)) {
    out.resize(kExcerptLines - 1);
    out.push_back("...");
  }
  std::string text;
  for (const std::string& line : out) text += line + "\n";
  return text;
}

}  // namespace dspy_compat
