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
constexpr std::string_view kJsonOrder = "in the following order of fields: ";
constexpr std::string_view kTypeInSentence = " (must be formatted as a valid Python ";
constexpr std::string_view kNote = "# note: the value you produce ";
constexpr std::string_view kOneOf = "one of: ";  // "must be one of: " (2.5), "must exactly match
                                                 // (no extra characters) one of: " (3.x)
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

bool HasRole(const json& message, std::string_view role) {
  if (!message.is_object()) return false;
  auto it = message.find("role");
  return it != message.end() && it->is_string() && it->get_ref<const std::string&>() == role;
}

std::string_view LastUserText(const json& messages, std::string& scratch) {
  for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
    if (HasRole(*it, "user")) return MessageTextView(*it, scratch);
  }
  return {};
}

std::string SystemText(const json& messages) {
  std::string text;
  std::string scratch;
  for (const json& m : messages) {
    if (HasRole(m, "system")) {
      text += MessageTextView(m, scratch);
      text += '\n';
    }
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

// JSONAdapter: "Respond with a JSON object in the following order of fields: `a` (must be
// formatted as a valid Python int), then `b`." (the type only from 3.x on).
std::vector<OutputField> FieldsFromJsonSentence(std::string_view text) {
  std::vector<OutputField> fields;
  std::size_t pos = text.rfind(kRespondJson);
  if (pos == std::string_view::npos) return fields;
  std::string_view rest = text.substr(pos);
  pos = rest.find(kJsonOrder);
  if (pos == std::string_view::npos) return fields;
  rest = rest.substr(pos + kJsonOrder.size());
  rest = rest.substr(0, rest.find('\n'));
  while (rest.starts_with("`")) {
    std::size_t close = rest.find('`', 1);
    if (close == std::string_view::npos) break;
    OutputField field;
    field.name = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.starts_with(kTypeInSentence)) {
      if (auto end = MatchingParen(rest, 1)) {
        field.type =
            std::string(rest.substr(kTypeInSentence.size(), *end - kTypeInSentence.size()));
        rest.remove_prefix(*end + 1);
      }
    }
    if (!field.name.empty()) fields.push_back(std::move(field));
    if (!rest.starts_with(", then ")) break;
    rest.remove_prefix(7);
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
    // DSPy 3.x puts no blank line between the lists and what follows them.
    if (line.starts_with("Your ") || line.starts_with("All interactions")) break;
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
  std::size_t schema = desc.find(kSchema);
  std::size_t one_of = desc.find(kOneOf);
  if (one_of != std::string_view::npos && schema == std::string_view::npos) {
    desc.remove_prefix(one_of + kOneOf.size());
    while (!desc.empty()) {
      std::size_t semi = desc.find("; ");
      field.choices.emplace_back(Trim(desc.substr(0, semi)));
      if (semi == std::string_view::npos) break;
      desc.remove_prefix(semi + 2);
    }
  } else if (schema != std::string_view::npos) {
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

std::string_view MessageTextView(const json& message, std::string& scratch) {
  if (!message.is_object()) return {};
  auto content = message.find("content");
  if (content == message.end()) return {};
  if (content->is_string()) return content->get_ref<const std::string&>();
  scratch.clear();
  if (content->is_array()) {
    for (const json& part : *content) {
      if (!part.is_object()) continue;
      auto t = part.find("text");
      if (t != part.end() && t->is_string()) scratch += t->get_ref<const std::string&>();
    }
  }
  return scratch;
}

std::string MessageText(const json& message) {
  std::string scratch;
  return std::string(MessageTextView(message, scratch));
}

PromptFields ExtractPromptFields(const json& messages) {
  PromptFields result;
  if (!messages.is_array()) return result;
  std::string system = SystemText(messages);
  std::string user_scratch;
  std::string_view last_user = LastUserText(messages, user_scratch);
  std::string scratch;
  for (const json& m : messages) {
    if (MessageTextView(m, scratch).find(kMarkerOpen) != std::string_view::npos) {
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
  if (outputs.empty() && result.wants_json) outputs = FieldsFromJsonSentence(last_user);
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

std::string InputValue(const json& messages, std::string_view name) {
  std::string scratch;
  std::string_view text = LastUserText(messages, scratch);
  std::string marker = std::string(kMarkerOpen) + std::string(name) + std::string(kMarkerClose);
  std::size_t at = text.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  if (at < text.size() && text[at] == '\n') ++at;
  // The value runs to the next field's marker or DSPy's closing instruction.
  std::size_t end = text.size();
  for (std::string_view next : {std::string_view("\n\n[[ ## "), kRespondSentence, kRespondJson}) {
    std::size_t found = text.find(next, at);
    if (found != std::string::npos) end = std::min(end, found);
  }
  std::string_view value = std::string_view(text).substr(at, end - at);
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
  return std::string(Trim(value));
}

void AddSchemaFields(const json& schema, PromptFields& fields) {
  if (!schema.is_object()) return;
  auto properties = schema.find("properties");
  if (properties == schema.end() || !properties->is_object()) return;
  auto dump = [](const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); };
  if (fields.outputs.empty()) {
    for (const auto& [name, property] : properties->items()) {
      if (Contains(fields.inputs, name)) continue;
      OutputField field;
      field.name = name;
      bool is_string = property.is_object() && property.value("type", json()) == "string" &&
                       !property.contains("enum");
      if (!is_string) {
        field.type = "json";  // anything but str: the value follows the schema
        field.json_schema = dump(property);
      }
      fields.outputs.push_back(std::move(field));
    }
    return;
  }
  for (OutputField& field : fields.outputs) {
    if (field.type == "str" || !field.json_schema.empty() || !field.choices.empty()) continue;
    auto property = properties->find(field.name);
    if (property != properties->end()) field.json_schema = dump(*property);
  }
}

}  // namespace dspy_compat::mock
