// For the warm-start tests: a stand-in target made of the system's python3
// and a stub "dspy" package, so that the real fork server and runner are
// exercised in milliseconds, without DSPy. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/model.h"
#include "runner/run_environment.h"
#include "test_support/source_tree.h"

namespace dspy_compat::warm_test {

namespace fs = std::filesystem;

inline const fs::path kSourceRoot = test_support::SourceRoot();
inline const fs::path kRunnerScript = kSourceRoot / "target_runner/dspy_compat_runner.py";
inline const fs::path kServerScript = kSourceRoot / "target_runner/dspy_compat_forkserver.py";

// Not a PATH lookup: pyenv-style shims need the user's HOME, and a run's
// HOME is its own folder.
inline fs::path SystemPython() {
  return fs::exists("/usr/bin/python3") ? fs::path("/usr/bin/python3") : fs::path("python3");
}

inline void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A dspy 2.5.40 look-alike: an LM class the runner can redirect, settings
// with configure (as dspy binds it at import), and a path
// copied from HOME at import (as huggingface_hub and dsp do), which a warm
// child must see re-pointed to its own HOME.
inline constexpr const char* kStubDspy = R"PY(
import os
HOME_AT_IMPORT = os.path.join(os.environ["HOME"], ".stub")
def cache_dir(default=HOME_AT_IMPORT):
    return default
class LM:
    def __init__(self, model, **kwargs):
        self.model = model
        self.kwargs = dict(kwargs)
    def __call__(self, *args, **kwargs):
        return ["stub answer"]
class Settings:
    def __init__(self):
        self.__dict__["_config"] = {"lm": None, "adapter": None, "trace": []}
    @property
    def config(self):
        return dict(self._config)
    def configure(self, **kwargs):
        self._config.update(kwargs)
settings = Settings()
configure = settings.configure
)PY";

// A temporary folder with stub packages under site/ (fine), threads/
// (starts a thread at import, so forking is unsafe) and tuple/ (keeps HOME in
// a tuple, which no run could get re-pointed).
class StubTarget : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("warm_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    for (const char* site : {"site", "threads", "tuple"}) {
      Write(dir_ / site / "dspy/__init__.py", kStubDspy);
      Write(dir_ / site / "dspy-2.5.40.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: dspy\nVersion: 2.5.40\n");
    }
    Write(dir_ / "threads/dspy/__init__.py",
          std::string(kStubDspy) +
              "import threading, time\n"
              "threading.Thread(target=time.sleep, args=(600,), daemon=True).start()\n");
    Write(dir_ / "tuple/dspy/__init__.py",
          std::string(kStubDspy) + "FOLDERS = (os.environ['HOME'], os.environ['TMPDIR'])\n");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // A scenario file in the temporary folder.
  fs::path Scenario(const std::string& name, const std::string& program) {
    fs::path path = dir_ / "scenarios" / (name + ".py");
    Write(path, program);
    return path;
  }

  // The environment of a run (or a server) in folder `work`, with the stub
  // package from site `site` importable.
  std::map<std::string, std::string> EnvFor(const fs::path& work,
                                            const std::string& site = "site") {
    for (const char* sub : {"home", "tmp", "dspy_cache"}) fs::create_directories(work / sub);
    auto env = BuildRunEnvironment({{"PATH", "/usr/bin:/bin"}}, work,
                                   "http://127.0.0.1:9/run/" + work.filename().string() + "/v1");
    env["PYTHONPATH"] = (dir_ / site).string();
    return env;
  }

  Target StubPythonTarget(const std::string& site = "site") {
    Target t;
    t.name = "stub-" + site;
    t.kind = Target::Kind::kUserPython;
    t.dspy_version = "2.5.40";
    t.interpreter = SystemPython();
    site_ = site;
    return t;
  }

  fs::path dir_;
  std::string site_ = "site";
};

}  // namespace dspy_compat::warm_test
