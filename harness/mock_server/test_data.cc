#include "mock_server/test_data.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace dspy_compat::mock::testing {

std::filesystem::path TestDataDir() { return DSPY_COMPAT_MOCK_TESTDATA; }

nlohmann::json LoadPrompt(const std::string& name, const std::string& release) {
  const std::filesystem::path path = TestDataDir() / (release + "_" + name + ".json");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing test data " + path.string());
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str());
}

}  // namespace dspy_compat::mock::testing
