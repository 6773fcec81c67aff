#include "runner/session_description.h"

#include "catalogue/scenario_info.h"
#include "runner/run_environment.h"

namespace dspy_compat {

void DescribeSession(const SessionDescription& session, RunEnvironment& env) {
  env.harness_version = DSPY_COMPAT_VERSION;
  env.seed = session.seed;
  env.command_line = session.command_line;
  env.started_at = session.started_at;
  env.jobs = session.jobs;
  env.repeat = session.adaptive ? 0 : session.repeat;
  if (session.adaptive) {
    env.min_repeat = session.adaptive->min_runs;
    env.max_repeat = session.adaptive->max_runs;
  }
  env.cache_policy = kCachePolicy;
  env.passed_env = session.environment.passed;
  env.scrubbed_env = session.environment.scrubbed;
  env.knowledge = session.knowledge;
}

void DescribeTargets(const std::vector<Target>& targets,
                     const std::map<std::string, ProjectEnvironmentInfo>& projects,
                     RunEnvironment& env) {
  for (const Target& t : targets) {
    env.targets.push_back(DescribeTarget(t));
    if (auto it = projects.find(t.name); it != projects.end()) {
      env.targets.back().project = it->second;
    }
  }
}

void DescribeScenarios(const std::vector<Scenario>& scenarios, const std::vector<Target>& targets,
                       const std::filesystem::path& root, RunEnvironment& env) {
  for (const Scenario& s : scenarios) {
    env.scenarios.push_back(s.id);
    env.scenario_summaries[s.id] = s.summary;
    env.scenario_info[s.id] = DescribeScenario(s, targets, root);
  }
}

}  // namespace dspy_compat
