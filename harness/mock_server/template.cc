#include "mock_server/template.h"

#include <array>
#include <utility>

namespace dspy_compat::mock {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Template Template::Compile(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, Kind>, 7> kNames = {{
      {"model", Kind::kModel},
      {"run", Kind::kRun},
      {"seq", Kind::kSeq},
      {"nth", Kind::kNth},
      {"rule", Kind::kRule},
      {"hash", Kind::kHash},
      {"answer", Kind::kAnswer},
  }};
  Template t;
  t.source_ = std::string(text);
  std::string_view rest = text;
  while (!rest.empty()) {
    std::size_t open = rest.find("{{");
    if (open != 0) {
      t.parts_.push_back({Kind::kLiteral, std::string(rest.substr(0, open))});
      if (open == std::string_view::npos) break;
      rest.remove_prefix(open);
    }
    std::size_t close = rest.find("}}");
    if (close == std::string_view::npos) {
      throw TemplateError("unterminated \"{{\" in template \"" + t.source_ + "\"");
    }
    std::string_view name = Trim(rest.substr(2, close - 2));
    rest.remove_prefix(close + 2);
    Part part;
    bool known = false;
    for (const auto& [word, kind] : kNames) {
      if (name == word) part.kind = kind, known = true;
    }
    for (auto [prefix, kind] : {std::pair{std::string_view("field."), Kind::kField},
                                std::pair{std::string_view("input."), Kind::kInput}}) {
      if (name.starts_with(prefix) && name.size() > prefix.size()) {
        part.kind = kind, part.text = std::string(name.substr(prefix.size())), known = true;
      }
    }
    if (!known) {
      throw TemplateError("unknown placeholder {{" + std::string(name) +
                          "}} (known: model, run, seq, nth, rule, hash, answer, field.NAME, "
                          "input.NAME)");
    }
    t.parts_.push_back(std::move(part));
  }
  return t;
}

bool Template::constant() const {
  for (const Part& p : parts_) {
    if (p.kind != Kind::kLiteral) return false;
  }
  return true;
}

std::string Template::Render(const TemplateValues& v) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Kind::kLiteral:
        out += p.text;
        break;
      case Kind::kModel:
        out += v.model;
        break;
      case Kind::kRun:
        out += v.run;
        break;
      case Kind::kSeq:
        out += std::to_string(v.seq);
        break;
      case Kind::kNth:
        out += std::to_string(v.nth);
        break;
      case Kind::kRule:
        out += v.rule;
        break;
      case Kind::kHash:
        out += v.hash;
        break;
      case Kind::kAnswer:
        if (v.answer) out += v.answer();
        break;
      case Kind::kField:
        if (v.field) out += v.field(p.text);
        break;
      case Kind::kInput:
        if (v.input) out += v.input(p.text);
        break;
    }
  }
  return out;
}

}  // namespace dspy_compat::mock
