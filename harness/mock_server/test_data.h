// Test-only: real DSPy request bodies in testdata/ (gen_prompts.py for 2.5.x, capture_prompts.py
// for 3.x).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

namespace dspy_compat::mock::testing {

// `name` without prefix or extension, e.g. "cot_question_answer"; `release` is the file prefix,
// "dspy2540" (DSPy 2.5.40) or "dspy341" (DSPy 3.4.1).
inline nlohmann::json LoadPrompt(const std::string& name, const std::string& release = "dspy2540") {
  std::string path = std::string(DSPY_COMPAT_MOCK_TESTDATA) + "/" + release + "_" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing test data " + path);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace dspy_compat::mock::testing
