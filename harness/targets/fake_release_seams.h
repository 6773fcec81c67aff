// Fakes for the two seams of release locking: the package index (pages
// from fixed JSON) and `uv pip compile` (scripted answers). Shared by
// target_locker_test.cc and release_resolver_test.cc.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "targets/package_index.h"
#include "targets/target_locker.h"

namespace dspy_compat::test_support {

class FakeIndex : public PackageIndex {
 public:
  // files: {filename, upload time}
  void Add(const std::string& project,
           const std::vector<std::pair<std::string, std::string>>& files,
           const std::string& requires_python = ">=3.9") {
    std::string json = R"({"name": ")" + project + R"(", "files": [)";
    for (std::size_t i = 0; i < files.size(); ++i) {
      json += (i ? "," : "") + std::string(R"({"filename": ")") + files[i].first +
              R"(", "upload-time": ")" + files[i].second + R"(", "requires-python": ")" +
              requires_python + R"("})";
    }
    pages_[project] = json + "]}";
  }
  ProjectPage Project(const std::string& name) override {
    ++requests;
    auto it = pages_.find(name);
    if (it == pages_.end()) throw IndexError("the index has no project '" + name + "'");
    return ParseProjectPage(it->second, name);
  }
  std::string Url() const override { return "https://pypi.org/simple/"; }
  int requests = 0;

 private:
  std::map<std::string, std::string> pages_;
};

// A minimal lock body pinning `pins` ("dspy==2.5.40"), in uv's format.
inline std::string LockBody(const std::vector<std::string>& pins) {
  std::string body;
  for (const auto& pin : pins) {
    body += pin + " \\\n    --hash=sha256:" + std::string(64, 'a') + "\n";
  }
  return body;
}

class ScriptedCompiler : public LockCompiler {
 public:
  CompileOutcome Compile(const CompileRequest& request) override {
    requests.push_back(request);
    if (answers.empty()) return {false, "", "error: unexpected compile"};
    CompileOutcome next = answers.front();
    answers.pop_front();
    return next;
  }
  std::string ToolVersion() override { return "0.13.9"; }

  std::deque<CompileOutcome> answers;
  std::vector<CompileRequest> requests;
};

// uv 0.13.9's words when the registry lacks a pinned version.
inline std::string NoVersionOutput(const std::string& package, const std::string& version) {
  return "error: No solution found when resolving dependencies\n"
         "  cause: Because there is no version of " +
         package + "==" + version + " and dspy>=2.5.40 depends on " + package + "==" + version +
         ", we can conclude that dspy>=2.5.40 cannot be used.\n"
         "         And because you require dspy==2.5.40, we can conclude that your requirements "
         "are unsatisfiable.\n";
}

}  // namespace dspy_compat::test_support
