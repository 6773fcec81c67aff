// Test-only: real DSPy request bodies in testdata/ (gen_prompts.py for 2.5.x, capture_prompts.py
// for 3.x).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace dspy_compat::mock::testing {

// harness/mock_server/testdata in the source tree.
std::filesystem::path TestDataDir();

// `name` without prefix or extension, e.g. "cot_question_answer"; `release` is the file prefix,
// "dspy2540" (DSPy 2.5.40) or "dspy341" (DSPy 3.4.1).
nlohmann::json LoadPrompt(const std::string& name, const std::string& release = "dspy2540");

}  // namespace dspy_compat::mock::testing
