// The environment a scenario runs in, built from an allow-list rather than
// inherited: no API keys or tokens from the parent reach a scenario, and
// HOME, caches and temporary files live in the run's own folder.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace dspy_compat {

inline constexpr const char* kDummyApiKey = "dspy-compat-dummy-key";

std::map<std::string, std::string> BuildRunEnvironment(
    const std::map<std::string, std::string>& parent, const std::filesystem::path& work_dir,
    const std::string& api_base);

}  // namespace dspy_compat
