// Test-only: the real DSPy ChatAdapter requests in testdata/ (see testdata/gen_prompts.py).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dspy_compat::mock::testing {

// `name` without prefix or extension, e.g. "cot_question_answer" for DSPy 2.5.40's file.
inline nlohmann::json LoadPrompt(const std::string& name) {
  std::string path = std::string(DSPY_COMPAT_MOCK_TESTDATA) + "/dspy2540_" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing test data " + path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace dspy_compat::mock::testing
