// The environment a scenario runs in, built from an allow-list rather than
// inherited: no API keys or tokens from the parent reach a scenario (those it
// might look for are there as dummies), and HOME, caches and temporary files
// live in the run's own folder. See containment.h for what is scrubbed,
// passed and refused.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "runner/containment.h"

namespace dspy_compat {

// Proxy variables every run gets when the policy has a refusing proxy: clients
// that honour them (curl, requests, httpx, aiohttp in a subprocess) reach
// only that port, except for loopback (NO_PROXY), where the mock server is.
inline constexpr const char* kProxyVariables[] = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY",
                                                  "http_proxy", "https_proxy", "all_proxy",
                                                  "FTP_PROXY",  "ftp_proxy"};

// How LM response caching is isolated per run (BuildRunEnvironment gives
// each run its own DSPY_CACHEDIR and HOME); results.json records it as
// environment.cache_policy and the Python runner reports the same text
// (target_runner/dspy_compat_runner.py CACHE_POLICY; a test keeps them equal).
inline constexpr const char* kCachePolicy = "fresh DSPY_CACHEDIR and HOME per run";

std::map<std::string, std::string> BuildRunEnvironment(
    const std::map<std::string, std::string>& parent, const std::filesystem::path& work_dir,
    const std::string& api_base, const ContainmentPolicy& policy = {});

}  // namespace dspy_compat
