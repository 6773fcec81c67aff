#include "mock_server/prompt_fields.h"

#include <algorithm>
#include <cstddef>
#include <optional>

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

constexpr std::string_view kMarkerOpen = "[[ ## ";
constexpr std::string_view kMarkerClose = " ## ]]";
constexpr std::string_view kRespondSentence = "Respond with the corresponding output fields";
constexpr std::string_view kRespondJson = "Respond with a JSON object";
constexpr std::string_view kTypeInSentence = " (must be formatted as a valid Python ";
constexpr std::string_view kNote = "# note: the value you produce ";
constexpr std::string_view kOneOf = "must be one of: ";
constexpr std::string_view kSchema = "JSON schema: ";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// `text[open]` is '('; returns the index of its matching ')', honouring nested ()/[] as in
// "Literal[a, b]" or "Union[int, NoneType]".
std::optional<std::size_t> MatchingParen(std::string_view text, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (depth == 0) return c == ')' ? std::optional<std::size_t>(i) : std::nullopt;
    if (c == '\n') return std::nullopt;
  }
  return std::nullopt;
}

std::string LastUserText(const json& messages) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (it->is_object() && it->value("role", "") == "user") return MessageText(*it);
  }
  return {};
}

std::string SystemText(const json& messages) {
  std::string text;
  for (const json& m : messages) {
    if (m.is_object() && m.value("role", "") == "system") text += MessageText(m) + "\n";
  }
  return text;
}

// "`[[ ## a ## ]]` (must be formatted as a valid Python int), then `[[ ## b ## ]]`, and then
// ending with the marker for `[[ ## completed ## ]]`."
std::vector<OutputField> FieldsFromSentence(std::string_view text) {
  std::vector<OutputField> fields;
  std::size_t pos = text.rfind(kRespondSentence);
  if (pos == std::string_view::npos) return fields;
  std::string_view rest = text.substr(pos);
  const std::string open = "`" + std::string(kMarkerOpen);
  while ((pos = rest.find(open)) != std::string_view::npos) {
    rest.remove_prefix(pos + open.size());
    std::size_t close = rest.find(kMarkerClose);
    if (close == std::string_view::npos) break;
    OutputField field;
    field.name = std::string(rest.substr(0, close));
    if (field.name == "completed") break;
    rest.remove_prefix(close + kMarkerClose.size());
    if (!rest.empty() && rest.front() == '`') rest.remove_prefix(1);
    if (rest.starts_with(kTypeInSentence)) {
      std::size_t open_paren = 1;  // rest[1] is '('
      if (auto end = MatchingParen(rest, open_paren)) {
        field.type =
            std::string(rest.substr(kTypeInSentence.size(), *end - kTypeInSentence.size()));
        rest.remove_prefix(*end + 1);
      }
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

// "Your output fields are:\n1. `name` (type): description\n2. ..." up to the blank line.
std::vector<OutputField> FieldsFromList(std::string_view text, std::string_view heading) {
  std::vector<OutputField> fields;
  std::size_t pos = text.find(heading);
  if (pos == std::string_view::npos) return fields;
  std::string_view rest = text.substr(pos + heading.size());
  while (!rest.empty()) {
    std::size_t eol = rest.find('\n');
    std::string_view line = Trim(rest.substr(0, eol));
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.empty()) break;  // also right away: a signature without inputs lists none
    std::size_t tick = line.find(". `");
    if (tick == std::string_view::npos || tick == 0 ||
        !std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(tick),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      continue;  // a wrapped description line
    }
    std::string_view after = line.substr(tick + 3);
    std::size_t end_tick = after.find('`');
    if (end_tick == std::string_view::npos) continue;
    OutputField field;
    field.name = std::string(after.substr(0, end_tick));
    after.remove_prefix(end_tick + 1);
    if (after.starts_with(" (")) {
      if (auto end = MatchingParen(after, 1)) field.type = std::string(after.substr(2, *end - 2));
    }
    fields.push_back(std::move(field));
  }
  return fields;
}

// A JSON string literal starting at text[open] (a '"'), decoded; "" when malformed.
std::string JsonStringAt(std::string_view text, std::size_t open) {
  std::size_t i = open + 1;
  while (i < text.size() && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2U : 1U;
  if (i >= text.size() || text[i] != '"') return {};
  json value = json::parse(text.substr(open, i - open + 1), nullptr, /*allow_exceptions=*/false);
  return value.is_string() ? value.get<std::string>() : std::string();
}

// `desc` follows "# note: the value you produce ".
void ApplyNote(std::string_view desc, OutputField& field) {
  desc = Trim(desc);
  if (desc.starts_with(kOneOf)) {
    desc.remove_prefix(kOneOf.size());
    while (!desc.empty()) {
      std::size_t semi = desc.find("; ");
      field.choices.emplace_back(Trim(desc.substr(0, semi)));
      if (semi == std::string_view::npos) break;
      desc.remove_prefix(semi + 2);
    }
  } else if (std::size_t schema = desc.find(kSchema); schema != std::string_view::npos) {
    field.json_schema = std::string(Trim(desc.substr(schema + kSchema.size())));
  }
}

// The structure section gives each output a placeholder and maybe a note, ChatAdapter as
//   [[ ## name ## ]]\n{name}        # note: the value you produce must be ...
// and JSONAdapter inside a JSON template (so JSON-escaped) as
//   "name": "{name}        # note: the value you produce must be ...",
void AddConstraints(std::string_view system, OutputField& field) {
  const std::string placeholder = "{" + field.name + "}";
  for (std::size_t pos = system.find(placeholder); pos != std::string_view::npos;
       pos = system.find(placeholder, pos + 1)) {
    std::string decoded;
    std::string_view line;
    if (pos > 0 && system[pos - 1] == '"') {
      decoded = JsonStringAt(system, pos - 1);
      line = std::string_view(decoded).substr(std::min(placeholder.size(), decoded.size()));
    } else {
      line = system.substr(pos + placeholder.size());
      line = line.substr(0, line.find('\n'));
    }
    std::size_t note = line.find_first_not_of(' ');
    if (note == std::string_view::npos || !line.substr(note).starts_with(kNote)) continue;
    ApplyNote(line.substr(note + kNote.size()), field);
    return;
  }
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

std::string MessageText(const json& message) {
  if (!message.is_object()) return {};
  auto content = message.find("content");
  if (content == message.end()) return {};
  if (content->is_string()) return content->get<std::string>();
  std::string text;
  if (content->is_array()) {
    for (const json& part : *content) {
      if (!part.is_object()) continue;
      auto t = part.find("text");
      if (t != part.end() && t->is_string()) text += t->get_ref<const std::string&>();
    }
  }
  return text;
}

PromptFields ExtractPromptFields(const json& messages) {
  PromptFields result;
  if (!messages.is_array()) return result;
  std::string system = SystemText(messages);
  std::string last_user = LastUserText(messages);
  for (const json& m : messages) {
    if (MessageText(m).find(kMarkerOpen) != std::string::npos) {
      result.has_markers = true;
      break;
    }
  }

  result.wants_json = last_user.find(kRespondJson) != std::string::npos;
  for (OutputField& f : FieldsFromList(system, "Your input fields are:\n")) {
    result.inputs.push_back(std::move(f.name));
  }
  std::vector<OutputField> listed = FieldsFromList(system, "Your output fields are:\n");
  std::vector<OutputField> outputs = FieldsFromSentence(last_user);
  if (outputs.empty()) outputs = listed;

  for (OutputField& field : outputs) {
    if (field.name == "completed" || Contains(result.inputs, field.name)) continue;
    // The sentence omits the type for str fields; the list does not.
    for (const OutputField& l : listed) {
      if (l.name == field.name && field.type == "str") field.type = l.type;
    }
    AddConstraints(system, field);
    result.outputs.push_back(std::move(field));
  }
  return result;
}

}  // namespace dspy_compat::mock
