#include "mock_server/responder.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "mock_server/byte_scan.h"
#include "mock_server/field_values.h"
#include "mock_server/json_text.h"
#include "mock_server/prompt_fields.h"
#include "mock_server/stable_hash.h"

namespace dspy_compat::mock {
namespace {

using nlohmann::json;

int WordCount(std::string_view text) { return CountWords(text); }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// "[[ ## name ## ]]\nvalue\n\n": one ChatAdapter field. Appended by hand, as on every request.
void AppendSection(std::string& content, std::string_view name, std::string_view value) {
  content.append("[[ ## ").append(name).append(" ## ]]\n").append(value).append("\n\n");
}

// The answer's identity: the seed, the run and what was asked (model, sampling temperature, the
// messages' roles and texts), never the arrival order, so concurrent requests replay exactly.
std::uint64_t RequestHash(const LmRequest& request, const ResponseContext& context) {
  StableHasher h(context.seed);
  h.Add(context.run_id).Add(request.model).Add(request.temperature);
  h.Add(static_cast<std::uint64_t>(request.api)).Add(static_cast<std::uint64_t>(request.json_mode));
  std::string scratch;
  for (const json& m : request.messages) {
    auto role = m.find("role");
    h.Add(role != m.end() && role->is_string() ? role->get_ref<const std::string&>() : "");
    h.Add(MessageTextView(m, scratch));
  }
  return h.Finish();
}

// One choice's default field values (a rule may replace some in the content).
class ChoiceFields {
 public:
  ChoiceFields(const PromptFields& fields, std::uint64_t base, std::string_view suffix)
      : fields_(fields), base_(base), suffix_(suffix) {}

  std::uint64_t Hash(const OutputField& field) const {
    return StableHasher(base_).Add(field.name).Finish();
  }
  std::string Text(const OutputField& field) const {
    return FieldValueText(field, Hash(field), suffix_);
  }
  json Json(const OutputField& field) const { return FieldValueJson(field, Hash(field), suffix_); }
  const OutputField* Find(std::string_view name) const {
    for (const OutputField& f : fields_.outputs) {
      if (f.name == name) return &f;
    }
    return nullptr;
  }

 private:
  const PromptFields& fields_;
  std::uint64_t base_;
  std::string_view suffix_;
};

std::string DefaultContent(const PromptFields& fields, const ChoiceFields& values,
                           std::uint64_t base, std::string_view suffix, bool json_mode) {
  if (json_mode) {
    if (fields.outputs.empty()) {
      std::string content = "{\"response\": ";
      AppendJsonString(content, fmt::format("mock response {}{}", HashTag(base), suffix));
      return content + "}";
    }
    std::string content = "{";
    for (const OutputField& field : fields.outputs) {
      if (content.size() > 1) content += ", ";
      AppendJsonString(content, field.name);
      content += ": " + Dump(values.Json(field));
    }
    return content + "}";
  }
  if (!fields.has_markers || fields.outputs.empty()) {
    return fmt::format("mock response {}{}", HashTag(base), suffix);
  }
  std::string content;
  for (const OutputField& field : fields.outputs) {
    AppendSection(content, field.name, values.Text(field));
  }
  return content + "[[ ## completed ## ]]";
}

// The content with a rule's field overrides: the default layout, some values replaced.
std::string OverriddenContent(const PromptFields& fields, const ChoiceFields& values,
                              const RuleResponse& respond, const TemplateValues& tv, bool json_mode,
                              std::uint64_t base, std::string_view suffix) {
  auto override_for = [&](const std::string& name) -> const FieldOverride* {
    for (const FieldOverride& o : respond.fields) {
      if (o.name == name) return &o;
    }
    return nullptr;
  };
  // Fields the rule sets but the prompt did not ask for are answered too (after the others).
  std::vector<OutputField> outputs = fields.outputs;
  for (const FieldOverride& o : respond.fields) {
    if (!values.Find(o.name)) outputs.push_back({.name = o.name});
  }
  auto text_of = [&](const OutputField& field, const FieldOverride* o) {
    if (!o) return values.Text(field);
    return o->text ? o->text->Render(tv) : Dump(o->value);
  };
  if (json_mode) {
    std::string content = "{";
    for (const OutputField& field : outputs) {
      if (content.size() > 1) content += ", ";
      AppendJsonString(content, field.name);
      content += ": ";
      const FieldOverride* o = override_for(field.name);
      if (!o) {
        content += Dump(values.Json(field));
      } else if (o->text) {
        AppendJsonString(content, o->text->Render(tv));
      } else {
        content += Dump(o->value);
      }
    }
    return content + "}";
  }
  if (!fields.has_markers && fields.outputs.empty() && respond.fields.empty()) {
    return fmt::format("mock response {}{}", HashTag(base), suffix);
  }
  std::string content;
  for (const OutputField& field : outputs) {
    AppendSection(content, field.name, text_of(field, override_for(field.name)));
  }
  return content + "[[ ## completed ## ]]";
}

}  // namespace

Answer Respond(const LmRequest& request, const ResponseContext& context) {
  Answer out;
  out.model = request.model;
  PromptFields fields = ExtractPromptFields(request.messages);
  if (!request.response_schema.is_null()) AddSchemaFields(request.response_schema, fields);
  for (const OutputField& f : fields.outputs) out.output_fields.push_back(f.name);

  const RuleResponse* respond = context.rule ? &context.rule->respond : nullptr;
  bool echo = context.echo_model || (respond && respond->echo_model);
  std::string suffix = echo ? fmt::format(" [model={}]", out.model) : "";
  bool json_mode = fields.wants_json || request.json_mode;
  if (respond && !respond->finish_reason.empty()) out.finish_reason = respond->finish_reason;

  out.hash = RequestHash(request, context);
  std::size_t prompts = request.api == LmApi::kCompletions ? request.prompts.size() : 1;
  for (std::size_t p = 0; p < prompts; ++p) {
    std::string_view prompt_text;
    if (request.api == LmApi::kCompletions) {
      prompt_text = request.prompts[p];
      out.prompt_tokens += WordCount(prompt_text);
    }
    for (int i = 0; i < request.n; ++i) {
      // The first choice of the first prompt keeps the request hash, so n=1 and n>1 agree on it.
      std::uint64_t base = out.hash;
      if (p > 0 || i > 0)
        base = StableHasher(out.hash).Add(p).Add(static_cast<std::uint64_t>(i)).Finish();
      if (p > 0) base = StableHasher(base).Add(prompt_text).Finish();
      ChoiceFields values(fields, base, suffix);
      std::string content;
      if (!respond || (!respond->content && respond->fields.empty())) {
        content = DefaultContent(fields, values, base, suffix, json_mode);
      } else {
        std::string tag = HashTag(base);
        TemplateValues tv{
            .model = out.model,
            .run = context.run_id,
            .seq = context.seq,
            .nth = context.nth,
            .rule = context.rule->name,
            .hash = tag,
            .answer = [&] { return DefaultContent(fields, values, base, suffix, json_mode); },
            .field =
                [&](std::string_view name) {
                  const OutputField* f = values.Find(name);
                  return f ? values.Text(*f) : std::string();
                },
            .input = [&](std::string_view name) { return InputValue(request.messages, name); },
        };
        content = respond->content
                      ? respond->content->Render(tv)
                      : OverriddenContent(fields, values, *respond, tv, json_mode, base, suffix);
      }
      if (context.quotable && p == 0 && i == 0) {
        for (const OutputField& f : fields.outputs) out.quotable.push_back(values.Text(f));
        if (fields.outputs.empty()) out.quotable.push_back(content);
      }
      out.completion_tokens += WordCount(content);
      out.choices.push_back(std::move(content));
    }
  }
  if (request.api == LmApi::kChat) {
    std::string scratch;
    for (const json& m : request.messages) {
      out.prompt_tokens += WordCount(MessageTextView(m, scratch));
    }
  }
  return out;
}

}  // namespace dspy_compat::mock
