#include "runner/changed_code.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "results/aggregate.h"
#include "results/atomic_file.h"

namespace dspy_compat {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kDiffSchema = "dspy-compat/changed-code/v1";

[[noreturn]] void Malformed(const std::string& what) {
  throw ChangedCodeError("the changed-code diff's output is malformed: " + what);
}

int Count(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer() || *it < 0 || *it > 1000000000) {
    Malformed(fmt::format("{}{} is not a count", where, key));
  }
  return it->get<int>();
}

std::vector<int> Lines(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) Malformed(fmt::format("{}{} is not an array", where, key));
  std::vector<int> out;
  for (const auto& n : *it) {
    if (!n.is_number_integer() || n < 1 || n > 1000000000) {
      Malformed(fmt::format("{}{} holds a non-line", where, key));
    }
    out.push_back(n.get<int>());
  }
  return out;
}

bool Failed(const RunResult& r) { return r.status == Status::kFail && !r.traceback.empty(); }

// A file the runner or the diff wrote; unreadable reads as empty, which the
// callers' own checks then name.
std::string ReadFile(const fs::path& path) {
  std::string text;
  ReadWholeFile(path, text);
  return text;
}

// The site-packages folder a runner's trace names.
fs::path SiteOf(const fs::path& trace) {
  json j = json::parse(ReadFile(trace), nullptr, false);
  auto it = j.is_object() ? j.find("site_packages") : j.end();
  if (it == j.end() || !it->is_string()) {
    throw ChangedCodeError(fmt::format("the trace {} names no site-packages", trace.string()));
  }
  return it->get<std::string>();
}

}  // namespace

ChangedCode ParseChangedCode(const std::string& json_text) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) Malformed("not a JSON object");
  if (auto it = j.find("schema"); it == j.end() || *it != kDiffSchema) {
    Malformed(fmt::format("not of schema {}", kDiffSchema));
  }
  ChangedCode c;
  c.files_compared = Count(j, "files_compared", "");
  c.files_changed = Count(j, "files_changed", "");
  c.hunks_changed = Count(j, "hunks_changed", "");
  auto hunks = j.find("hunks");
  if (hunks == j.end() || !hunks->is_array()) Malformed("hunks is not an array");
  for (std::size_t i = 0; i < hunks->size(); ++i) {
    const json& h = (*hunks)[i];
    const std::string where = fmt::format("hunks[{}].", i);
    if (!h.is_object()) Malformed(where + " is not an object");
    ChangedHunk hunk;
    auto file = h.find("file");
    if (file == h.end() || !file->is_string()) Malformed(where + "file is not a string");
    hunk.file = file->get<std::string>();
    hunk.old_start = Count(h, "old_start", where);
    hunk.old_lines = Count(h, "old_lines", where);
    hunk.new_start = Count(h, "new_start", where);
    hunk.new_lines = Count(h, "new_lines", where);
    hunk.executed_old = Lines(h, "executed_old", where);
    hunk.executed_new = Lines(h, "executed_new", where);
    auto lines = h.find("lines");
    if (lines == h.end() || !lines->is_array()) Malformed(where + "lines is not an array");
    for (const auto& line : *lines) {
      if (!line.is_string()) Malformed(where + "lines holds a non-string");
      hunk.lines.push_back(line.get<std::string>());
    }
    c.hunks.push_back(std::move(hunk));
  }
  return c;
}

void OrderByTraceback(std::vector<ChangedHunk>& hunks, const std::string& traceback) {
  std::vector<std::string> paths;
  std::istringstream in(traceback);
  for (std::string line; std::getline(in, line);) {
    const auto open = line.find("File \"");
    if (open == std::string::npos) continue;
    const auto start = open + 6;
    const auto close = line.find('"', start);
    if (close != std::string::npos) paths.push_back(line.substr(start, close - start));
  }
  for (ChangedHunk& hunk : hunks) {
    const std::string tail = "/" + hunk.file;
    hunk.on_traceback = std::any_of(paths.begin(), paths.end(), [&](const std::string& p) {
      return p.size() >= tail.size() && p.compare(p.size() - tail.size(), tail.size(), tail) == 0;
    });
  }
  std::stable_partition(hunks.begin(), hunks.end(),
                        [](const ChangedHunk& h) { return h.on_traceback; });
}

std::vector<ChangedCode> FindChangedCode(const Results& results,
                                         const std::vector<Scenario>& scenarios,
                                         const std::vector<Target>& targets,
                                         ChangedCodeProbe& probe, const ChangedCodeOptions& options,
                                         const std::atomic<bool>* cancel) {
  std::vector<ChangedCode> found;
  const Aggregate aggregate = AggregateResults(results);
  auto target_index = [&](const std::string& name) -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (targets[i].name == name) return i;
    }
    return std::nullopt;
  };
  for (const ScenarioAggregate& s : aggregate.scenarios) {
    auto scenario = std::find_if(scenarios.begin(), scenarios.end(),
                                 [&](const Scenario& x) { return x.id == s.scenario_id; });
    if (scenario == scenarios.end()) continue;
    for (const Verdict& v : s.verdicts) {
      if (v.kind != VerdictKind::kRegression && v.kind != VerdictKind::kBehaviourChange) continue;
      if (static_cast<int>(found.size()) >= options.max_pairs) return found;
      auto old_index = target_index(v.baseline_target);
      auto new_index = target_index(v.target_name);
      if (!old_index || !new_index) continue;
      ChangedCode c;
      c.scenario_id = s.scenario_id;
      c.baseline_target = v.baseline_target;
      c.target_name = v.target_name;
      std::optional<RunResult> reruns[2];
      fs::path traces[2];
      const std::size_t indices[2] = {*old_index, *new_index};
      for (int side = 0; side < 2 && c.error.empty(); ++side) {
        const Target& target = targets[indices[side]];
        RunSpec spec = options.spec_for(*scenario, target, indices[side]);
        spec.run_id += ".changed-code";
        traces[side] = options.work / (spec.run_id + ".json");
        spec.trace_dspy = traces[side];
        reruns[side] = probe.TracedRun(spec, cancel);
        if (!reruns[side]) return found;  // cancelled
        std::error_code ec;
        if (!fs::exists(traces[side], ec)) {
          c.error = fmt::format("the traced rerun on {} left no trace ({}{}{})", target.name,
                                StatusName(reruns[side]->status),
                                reruns[side]->error_message.empty() ? "" : ": ",
                                reruns[side]->error_message.substr(0, 200));
        }
      }
      if (c.error.empty()) {
        try {
          ChangedCode diff = ParseChangedCode(
              probe.Diff(targets[*old_index], targets[*new_index], traces[0], traces[1]));
          c.files_compared = diff.files_compared;
          c.files_changed = diff.files_changed;
          c.hunks_changed = diff.hunks_changed;
          c.hunks = std::move(diff.hunks);
        } catch (const ChangedCodeError& e) {
          c.error = e.what();
        }
      }
      // The failing traceback: the later rerun's, else the session's example.
      std::string traceback;
      if (reruns[1] && Failed(*reruns[1])) {
        traceback = reruns[1]->traceback;
      } else {
        for (const Outcome& o : s.outcomes) {
          if (o.target_name == v.target_name) traceback = o.example_traceback;
        }
      }
      OrderByTraceback(c.hunks, traceback);
      found.push_back(std::move(c));
    }
  }
  return found;
}

ProcessChangedCodeProbe::ProcessChangedCodeProbe(Execute execute, fs::path diff_script,
                                                 fs::path work, ProcessRunner& processes)
    : execute_(std::move(execute)),
      diff_script_(std::move(diff_script)),
      work_(std::move(work)),
      processes_(processes) {}

std::optional<RunResult> ProcessChangedCodeProbe::TracedRun(const RunSpec& spec,
                                                            const std::atomic<bool>* cancel) {
  return execute_(spec, cancel);
}

std::string ProcessChangedCodeProbe::Diff(const Target& baseline, const Target& later,
                                          const fs::path& baseline_trace,
                                          const fs::path& later_trace) {
  const fs::path out =
      work_ / fmt::format("{}--{}.changed-code.json", SafeId(baseline.name), SafeId(later.name));
  ProcessSpec process;
  process.argv = {later.interpreter.string(),
                  diff_script_.string(),
                  "--old-site",
                  SiteOf(baseline_trace).string(),
                  "--new-site",
                  SiteOf(later_trace).string(),
                  "--old-trace",
                  baseline_trace.string(),
                  "--new-trace",
                  later_trace.string(),
                  "--out",
                  out.string()};
  process.env = {{"PATH", "/usr/bin:/bin"}, {"PYTHONDONTWRITEBYTECODE", "1"}};
  process.cwd = work_;
  process.output_path = work_ / "changed-code-diff.log";
  process.timeout = std::chrono::minutes(5);
  std::error_code ec;
  fs::remove(out, ec);
  ProcessOutcome outcome = processes_.Run(process, nullptr);
  if (!outcome.started || outcome.exit_code != 0) {
    std::string tail = outcome.output_tail;
    std::replace(tail.begin(), tail.end(), '\n', ' ');
    throw ChangedCodeError(fmt::format("the changed-code diff failed ({}): {}",
                                       outcome.started
                                           ? fmt::format("exit {}", outcome.exit_code.value_or(-1))
                                           : outcome.start_error,
                                       tail.size() > 300 ? tail.substr(tail.size() - 300) : tail));
  }
  return ReadFile(out);
}

std::vector<ChangedCode> FindChangedCodeOfSession(const Results& results,
                                                  const std::vector<Scenario>& scenarios,
                                                  const std::vector<Target>& targets,
                                                  const PlanOptions& plan,
                                                  ProcessChangedCodeProbe::Execute execute,
                                                  const fs::path& diff_script, const fs::path& work,
                                                  const std::atomic<bool>* cancel) {
  std::error_code ec;
  fs::create_directories(work, ec);
  ProcessChangedCodeProbe probe(std::move(execute), diff_script, work);
  ChangedCodeOptions options{
      .max_pairs = 3,
      .work = work,
      .spec_for = [&](const Scenario& s, const Target& t, std::size_t index) {
        return MakeRunSpec(s, t, index, 1, plan);
      }};
  return FindChangedCode(results, scenarios, targets, probe, options, cancel);
}

}  // namespace dspy_compat
