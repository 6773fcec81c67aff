#include "runner/run_executor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <csignal>
#include <fstream>

#include "core/json_int.h"
#include "runner/run_environment.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRunnerSchema = "dspy-compat/runner-result/v1";

std::optional<nlohmann::json> ReadRunnerResult(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return nlohmann::json::object();
  return json;
}

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<ContainmentEvent> ReadContainmentEvents(const nlohmann::json& j) {
  std::vector<ContainmentEvent> events;
  auto it = j.find("containment_events");
  if (it == j.end() || !it->is_array()) return events;
  for (const auto& item : *it) {
    if (!item.is_object()) continue;
    ContainmentEvent e{Str(item, "kind"), Str(item, "host"), std::nullopt, Str(item, "detail")};
    if (auto port = item.find("port");
        port != item.end() && port->is_number_integer() && *port >= 0 && *port <= 65535) {
      e.port = port->get<int>();
    }
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<std::string> Strings(const nlohmann::json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& item : *it) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

// Null when the runner could not read dspy.settings (another dspy, no import).
std::optional<SettingsAfter> ReadSettingsAfter(const nlohmann::json& j) {
  auto it = j.find("settings_after");
  if (it == j.end() || !it->is_object()) return std::nullopt;
  return SettingsAfter{Str(*it, "lm"), Str(*it, "adapter"), Strings(*it, "changed"),
                       Strings(*it, "configured")};
}

// The runner's numbers, checked rather than taken with json::value(), which
// throws type_error.302 on a null or a string and aborted the session. The
// file comes from a process the scenario shares, so any value can be there.
// Returns what is wrong, naming the field, or nothing.
std::optional<std::string> ReadRunnerNumbers(const nlohmann::json& j, RunResult& r) {
  auto shown = [](const nlohmann::json& value) {
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return text.size() > 40 ? text.substr(0, 40) + "..." : text;
  };
  // null is documented: the scenario did not run (its import failed, for one).
  if (auto it = j.find("scenario_seconds"); it != j.end() && !it->is_null()) {
    if (!it->is_number() || !(it->get<double>() >= 0) || it->get<double>() > 1e9) {
      return fmt::format("scenario_seconds is {}, not a number of seconds", shown(*it));
    }
    r.scenario_seconds = it->get<double>();
  }
  if (auto it = j.find("lm_calls"); it != j.end()) {
    std::optional<int> calls = JsonInt(*it);
    if (!calls || *calls < 0) return fmt::format("lm_calls is {}, not a count", shown(*it));
    r.lm_calls = *calls;
  }
  return std::nullopt;
}

std::string Endpoint(const ContainmentEvent& e) {
  return e.port ? fmt::format("{}:{}", e.host, *e.port) : e.host;
}

// Why the process's end contradicts a result it wrote, or "" when it does
// not: the runner exits 0 once its result is written (os._exit), so a
// non-zero code or a signal means something else ended the process after,
// or instead of, the runner.
std::string ExitContradiction(const ProcessOutcome& process, const std::string& status) {
  if (process.term_signal) {
    return fmt::format(
        "the result says {}, but the interpreter died of {}, which a finished runner never does "
        "(it exits 0 once its result is written); the result is not trusted",
        status, SignalName(*process.term_signal));
  }
  if (process.exit_code && *process.exit_code != 0) {
    return fmt::format(
        "the result says {}, but the interpreter exited with code {}, and a finished runner "
        "exits 0 once its result is written; the result is not trusted",
        status, *process.exit_code);
  }
  return "";
}

// Why the mock server's journal contradicts the result, or "". Only a
// result that says no LM call and no connection to the server while the
// server answered the run is a contradiction: dspy.LM calls and requests
// differ legitimately (cache hits answer calls without a request; litellm's
// retries send several for one call), and an LM used without dspy.LM (the
// openai client) makes requests through connections the runner counts.
std::string JournalContradiction(const nlohmann::json& j, int lm_calls, int journal_requests) {
  auto connections = j.find("lm_connections");
  const bool none = connections == j.end() ||
                    (connections->is_number_integer() && connections->get<std::int64_t>() == 0);
  if (lm_calls != 0 || journal_requests == 0 || !none) return "";
  return fmt::format(
      "the result says the run made no LM call and opened no connection to the mock LM server, "
      "but the server journaled {} request{} for it; the result is not trusted (an LM reached "
      "only from a subprocess the scenario started also reads so)",
      journal_requests, journal_requests == 1 ? "" : "s");
}

}  // namespace

RunResult ClassifyRun(const RunSpec& spec, const ProcessOutcome& process,
                      const std::optional<nlohmann::json>& runner_result, int journal_requests) {
  RunResult r;
  r.scenario_id = spec.scenario.id;
  r.target_name = spec.target.name;
  r.repetition = spec.repetition;
  r.run_id = spec.run_id;
  r.wall_seconds = process.wall_seconds;
  r.exit_code = process.exit_code;
  r.term_signal = process.term_signal;
  r.output_tail = process.output_tail;

  if (!process.started) {
    r.status = Status::kError;
    r.error_message = process.start_error;
    return r;
  }
  if (process.timed_out) {
    r.status = Status::kTimeout;
    r.error_message = fmt::format("killed with its process group after the {} s time limit",
                                  spec.timeout.count());
    return r;
  }
  if (!runner_result && process.term_signal == SIGXFSZ) {
    r.status = Status::kError;
    r.error_message =
        "output limit: the scenario wrote more than a run may (its output or a file it wrote "
        "reached --output-limit-mb) and was stopped by SIGXFSZ";
    return r;
  }
  if (!runner_result && process.exit_code == 0 && !process.term_signal) {
    r.status = Status::kError;
    r.error_message =
        "the interpreter exited with code 0 but wrote no result: the runner did not finish (a "
        "scenario that calls os._exit ends the run before its result is written)";
    return r;
  }
  if (!runner_result) {
    r.status = Status::kCrash;
    r.error_message = process.term_signal
                          ? fmt::format("the interpreter died of {} without a result",
                                        SignalName(*process.term_signal))
                          : fmt::format("the interpreter exited with code {} without a result",
                                        process.exit_code.value_or(-1));
    return r;
  }
  const auto& j = *runner_result;
  if (Str(j, "schema") != kRunnerSchema) {
    r.status = Status::kError;
    r.error_message = "the runner's result file is unreadable or of another schema";
    return r;
  }
  auto status = ParseStatus(Str(j, "status"));
  r.status = status.value_or(Status::kError);
  r.error_type = Str(j, "error_type");
  r.error_message = status ? Str(j, "error_message") : "the runner reported an unknown status";
  r.traceback = Str(j, "traceback");
  r.dspy_version = Str(j, "dspy_version");
  r.containment = Str(j, "containment");
  r.containment_events = ReadContainmentEvents(j);
  r.settings_after = ReadSettingsAfter(j);
  if (auto wrong = ReadRunnerNumbers(j, r)) {
    // An error, never a pass or a fail: the result cannot be trusted. The
    // runner's own word on what went wrong is kept after ours.
    r.error_message = fmt::format("the runner's result file is malformed: {}{}", *wrong,
                                  r.error_message.empty() ? "" : "; it said: " + r.error_message);
    r.status = Status::kError;
    return r;
  }
  for (const std::string& contradiction : {ExitContradiction(process, Str(j, "status")),
                                           JournalContradiction(j, r.lm_calls, journal_requests)}) {
    if (contradiction.empty()) continue;
    r.status = Status::kError;
    r.error_type.clear();
    r.error_message = contradiction;
    return r;
  }
  // A run that tried to leave the machine is never a pass, nor an ordinary
  // failure of its program, even if it caught the refusal: its outcome would
  // otherwise depend on what lies outside the harness.
  std::vector<std::string> blocked;
  for (const auto& e : r.containment_events) {
    if (e.kind == kBlockedConnection) blocked.push_back(Endpoint(e));
  }
  if (!blocked.empty() && r.status != Status::kError) {
    r.status = Status::kError;
    r.error_type = "ContainmentError";
    r.error_message = fmt::format(
        "containment: the scenario tried to reach {} (outside loopback); refused. A run may "
        "reach only the mock LM server",
        fmt::join(blocked, ", "));
    return r;
  }
  // The pin is checked on every run, not only when the environment was built.
  if (spec.target.kind == Target::Kind::kLocked && r.status != Status::kError &&
      r.dspy_version != spec.target.dspy_version) {
    r.status = Status::kError;
    r.error_type.clear();
    r.error_message = fmt::format("the run imported dspy {}, but target {} pins {}",
                                  r.dspy_version.empty() ? "?" : r.dspy_version, spec.target.name,
                                  spec.target.dspy_version);
  }
  return r;
}

RunExecutor::RunExecutor(ExecutorConfig config, LmEndpoint& endpoint, ProcessRunner& processes)
    : config_(std::move(config)), endpoint_(endpoint), processes_(processes) {}

std::optional<RunResult> RunExecutor::Execute(const RunSpec& spec,
                                              const std::atomic<bool>* cancel) {
  fs::path work = config_.work_root / spec.run_id;
  std::error_code ec;
  fs::remove_all(work, ec);
  for (const char* sub : {"home", "tmp", "dspy_cache"}) fs::create_directories(work / sub);

  std::string api_base = endpoint_.ApiBaseFor(spec.run_id);
  endpoint_.ConfigureRun(spec.run_id, spec.repetition, spec.lm_delay, spec.mock_fixture);
  fs::path result_file = work / "result.json";

  std::vector<std::string> runner_args = {
      "--scenario",        spec.scenario.path.string(),
      "--result",          result_file.string(),
      "--api-base",        api_base,
      "--run-id",          spec.run_id,
      "--memory-limit-mb", std::to_string(config_.memory_limit_mb),
      "--output-limit-mb", std::to_string(config_.output_limit_mb)};
  // A team's test (catalogue/pytest_files.h): the runner runs that test of
  // the file through pytest; the folder its id is relative to (the project
  // root pytest reads its configuration and conftest.py from) stays visible.
  std::vector<fs::path> readable = {InterpreterPrefix(spec.target.interpreter),
                                    spec.scenario.path.parent_path()};
  if (const std::string& node = spec.scenario.pytest_node; !node.empty()) {
    const std::size_t file_end = node.find(".py::");
    const std::string name = file_end == std::string::npos ? node : node.substr(file_end + 5);
    runner_args.insert(runner_args.end(), {"--pytest-node", name});
    fs::path root = spec.scenario.path.parent_path();
    for (std::size_t i = 0; file_end != std::string::npos && i < file_end; ++i) {
      if (node[i] == '/') root = root.parent_path();
    }
    readable.push_back(root);
  }
  if (!config_.project_root.empty()) {
    runner_args.insert(runner_args.end(), {"--project-root", config_.project_root.string()});
  }
  const fs::path trace_file = work / "dspy_trace.json";
  if (!spec.trace_dspy.empty()) {
    runner_args.insert(runner_args.end(), {"--trace-dspy", trace_file.string()});
  }
  auto env = BuildRunEnvironment(CurrentEnvironment(), work, api_base, config_.containment);
  fs::path output = work / "output.log";

  ProcessOutcome outcome;
  std::string start_mode = "cold";
  if (config_.warm != nullptr) {
    WarmRun run{runner_args, env, work, output, spec.timeout, config_.output_tail_bytes};
    WarmStart warm = config_.warm->Run(spec.target, run, cancel);
    if (warm.outcome) {
      outcome = std::move(*warm.outcome);
      start_mode = "warm";
    } else {
      start_mode = fmt::format("cold (fallback: {})", warm.fallback_reason);
    }
  }
  if (start_mode != "warm") {
    ProcessSpec process;
    process.argv = {spec.target.interpreter.string(), "-X", "faulthandler",
                    config_.runner_script.string()};
    process.argv.insert(process.argv.end(), runner_args.begin(), runner_args.end());
    const bool wrapped = config_.sandbox != nullptr && config_.sandbox->enabled();
    if (wrapped) {
      process.argv = config_.sandbox->Wrap(process.argv, Sandbox::For::kRun, readable);
    }
    if (config_.sandbox != nullptr) process.netns_fd = config_.sandbox->netns_fd;
    process.env = std::move(env);
    process.cwd = work;
    process.output_path = output;
    process.timeout = spec.timeout;
    process.output_tail_bytes = config_.output_tail_bytes;
    outcome = processes_.Run(process, cancel);
    if (wrapped) {
      UndoBwrapExitStatus(outcome);
      outcome.own_pid_namespace = true;
    }
  }
  if (outcome.cancelled) {
    if (!config_.keep_work) fs::remove_all(work, ec);
    return std::nullopt;
  }
  auto traffic = endpoint_.TrafficFor(spec.run_id);
  RunResult result = ClassifyRun(spec, outcome, ReadRunnerResult(result_file), traffic.requests);
  result.start_mode = start_mode;
  result.sandbox = config_.sandbox != nullptr ? config_.sandbox->Label(outcome.own_pid_namespace)
                                              : Sandbox{}.Label(false);
  result.lm_requests = traffic.requests;
  result.models = traffic.models;
  result.lm_traffic = std::move(traffic.summary);
  result.lm_schedule = std::move(traffic.schedule);
  if (!spec.trace_dspy.empty()) {
    fs::remove(spec.trace_dspy, ec);
    if (fs::exists(trace_file, ec)) fs::copy_file(trace_file, spec.trace_dspy, ec);
  }
  if (!config_.keep_work) fs::remove_all(work, ec);
  return result;
}

}  // namespace dspy_compat
