// Fixture response templates: literal text with {{placeholders}}, compiled when the fixture is
// loaded (so a typo fails the load, not a request) and rendered per request.
//
//   {{model}} {{run}} {{seq}} {{nth}} {{rule}} {{hash}}  the request's model, run id, sequence
//                                                      number in its run, position among the
//                                                      rule's matches, rule name, answer hash tag
//   {{answer}}                                         the answer the mock would have given
//   {{field.NAME}}                                     that answer's value for output field NAME
//   {{input.NAME}}                                     the value of input field NAME in the prompt
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace dspy_compat::mock {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TemplateValues {
  std::string_view model{};
  std::string_view run{};
  int seq = 0;
  int nth = 0;
  std::string_view rule{};
  std::string_view hash{};
  std::function<std::string()> answer{};
  std::function<std::string(std::string_view)> field{};
  std::function<std::string(std::string_view)> input{};
};

class Template {
 public:
  Template() = default;
  // Throws TemplateError for an unknown placeholder or an unterminated "{{".
  static Template Compile(std::string_view text);

  std::string Render(const TemplateValues& values) const;
  const std::string& source() const { return source_; }
  bool constant() const;  // no placeholders

 private:
  enum class Kind { kLiteral, kModel, kRun, kSeq, kNth, kRule, kHash, kAnswer, kField, kInput };
  struct Part {
    Kind kind = Kind::kLiteral;
    std::string text{};  // the literal, or the field name
  };
  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace dspy_compat::mock
