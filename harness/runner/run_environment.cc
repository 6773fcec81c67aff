#include "runner/run_environment.h"

#include <array>

namespace dspy_compat {

std::map<std::string, std::string> BuildRunEnvironment(
    const std::map<std::string, std::string>& parent, const std::filesystem::path& work_dir,
    const std::string& api_base, const ContainmentPolicy& policy) {
  // Only what a Python program needs to behave normally passes through.
  static constexpr std::array kPassThrough{"PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ"};
  std::map<std::string, std::string> env;
  for (const char* name : kPassThrough) {
    if (auto it = parent.find(name); it != parent.end()) env.emplace(name, it->second);
  }
  if (!env.contains("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
  // A program that checks for its provider's key finds one, and it is worth
  // nothing anywhere.
  EnvironmentDecision decision = DecideEnvironment(parent, policy);
  for (const auto& name : decision.scrubbed) env[name] = kDummyApiKey;
  env["HOME"] = (work_dir / "home").string();
  env["TMPDIR"] = (work_dir / "tmp").string();
  env["XDG_CACHE_HOME"] = (work_dir / "home" / ".cache").string();
  // A fresh litellm disk cache per run: a cached answer would never reach the
  // mock server and would change the timing under test.
  env["DSPY_CACHEDIR"] = (work_dir / "dspy_cache").string();
  env["PYTHONDONTWRITEBYTECODE"] = "1";
  env["PYTHONUNBUFFERED"] = "1";
  env["PYTHONNOUSERSITE"] = "1";
  env["LITELLM_LOCAL_MODEL_COST_MAP"] = "True";  // no cost-map download
  env["OPENAI_API_KEY"] = kDummyApiKey;
  // litellm's openai/ models and the openai client used directly.
  env["OPENAI_API_BASE"] = api_base;
  env["OPENAI_BASE_URL"] = api_base;
  env["NO_PROXY"] = "127.0.0.1,localhost,::1";
  env["no_proxy"] = env["NO_PROXY"];
  if (!policy.refusing_proxy.empty()) {
    for (const char* name : kProxyVariables) env[name] = policy.refusing_proxy;
  }
  env["HF_HUB_OFFLINE"] = "1";
  env["HF_DATASETS_OFFLINE"] = "1";
  env["TOKENIZERS_PARALLELISM"] = "false";
  // Runs go N at a time, so thread pools inside C libraries only oversubscribe
  // the cores; and an interpreter with no thread besides its main one can be
  // forked safely, which warm starts need (numpy's OpenBLAS starts a pool at
  // import, pyarrow's jemalloc a background thread). Cold runs get the same.
  env["OPENBLAS_NUM_THREADS"] = "1";
  env["JE_ARROW_MALLOC_CONF"] = "background_thread:false";
  // Last: what the user passes by name wins over everything above but the
  // run's own folders and its mock server address.
  for (const auto& name : decision.passed) {
    if (!env.contains(name) || name == "OPENAI_API_KEY") env[name] = parent.at(name);
  }
  return env;
}

}  // namespace dspy_compat
