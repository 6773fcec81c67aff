#include "cli/project_options.h"

#include <fmt/format.h>

#include <iostream>
#include <stdexcept>

#include "cli/exit_codes.h"
#include "results/adaptive_repeat.h"

namespace dspy_compat {

void ApplyProjectConfig(const ProjectConfig& config,
                        const std::function<bool(std::string_view flag)>& given, RunOptions& run) {
  auto take = [&](std::string_view flag, const auto& from, auto& to) {
    if (from && !given(flag)) to = *from;
  };
  take("--targets", config.targets, run.targets);
  take("--scenarios", config.scenarios, run.scenarios);
  if (config.repeat && !given("--repeat")) {
    const std::string& text = *config.repeat;
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
      // The flag's own range (1..100000), so that a huge count is an error,
      // not an exception from the conversion.
      if (text.size() > 6 || std::stoi(text) < 1 || std::stoi(text) > 100000) {
        throw ConfigError(fmt::format("{}: [tool.dspy-compat] repeat: {} is not in 1..100000",
                                      config.file.string(), text));
      }
      run.repeat = std::stoi(text);
    } else {
      try {
        ParseAdaptiveRepeat(text);
      } catch (const std::invalid_argument& e) {
        throw ConfigError(
            fmt::format("{}: [tool.dspy-compat] repeat: {}", config.file.string(), e.what()));
      }
      run.adaptive_repeat = text;
    }
  }
  take("--jobs", config.jobs, run.jobs);
  if (config.timeout && !given("--timeout")) run.timeout_seconds = config.timeout;
  if (config.lm_delay_ms && !given("--lm-delay-ms")) run.lm_delay = config.lm_delay_ms;
  if (config.seed && !given("--seed")) run.seed = config.seed;
  take("--out", config.out, run.out);
  take("--cold", config.cold, run.cold);
  take("--keep-work", config.keep_work, run.keep_work);
  take("--no-changed-code", config.no_changed_code, run.no_changed_code);
  take("--pass-env", config.pass_env, run.pass_env);
  take("--scrub", config.scrub, run.scrub);
  take("--gate", config.gate, run.gate);
  if (config.baseline && !given("--baseline")) run.gate_options.baseline = config.baseline;
  if (config.schedule && !given("--schedule")) run.schedule = *config.schedule;
  take("--explore-quiet-ms", config.explore_quiet_ms, run.explore_quiet_ms);
  take("--knowledge", config.knowledge, run.knowledge);
  take("--project", config.project, run.project);
}

int ApplyProjectConfigHere(const std::function<bool(std::string_view flag)>& given,
                           RunOptions& run) {
  try {
    // --project DIR: that project's settings, wherever the command runs.
    std::optional<std::filesystem::path> file;
    if (run.project) {
      const auto named = *run.project / "pyproject.toml";
      if (std::filesystem::is_regular_file(named)) file = named;
    } else {
      file = FindProjectConfig(std::filesystem::current_path());
    }
    if (!file) return kExitOk;
    ApplyProjectConfig(ReadProjectConfig(*file), given, run);
    std::cerr << fmt::format("dspy-compat: settings from {} [tool.dspy-compat]\n", file->string());
  } catch (const ConfigError& e) {
    std::cerr << "dspy-compat: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << "dspy-compat: cannot look for pyproject.toml: " << e.code().message() << "\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace dspy_compat
