// What results.json's `environment` says of the session that wrote it (run
// and bisect alike): how it ran, on which targets, which scenarios. The
// plan, the shard and the options a resume needs are the session's own
// (runner/session.h, cli/session_options.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "results/adaptive_repeat.h"
#include "runner/containment.h"

namespace dspy_compat {

struct SessionDescription {
  std::uint64_t seed = 0;
  std::string command_line;
  std::string started_at;  // ISO 8601 UTC
  int jobs = 0;
  int repeat = 0;                               // fixed repetitions per pair; 0 when adaptive
  std::optional<AdaptiveRepeat> adaptive = {};  // each pair between its min and max runs
  EnvironmentDecision environment = {};         // the variables runs were passed and scrubbed
  std::vector<KnowledgeFileInfo> knowledge = {};
};

// The header: the harness's version, the LM cache policy and the above.
void DescribeSession(const SessionDescription& session, RunEnvironment& env);

// Each target as results.json records it, with the project environment it
// was given (run --project: by target name; absent for the others).
void DescribeTargets(const std::vector<Target>& targets,
                     const std::map<std::string, ProjectEnvironmentInfo>& projects,
                     RunEnvironment& env);

// Each scenario's id (in catalogue order), its summary, and what reports
// show of it, resolved against `targets` (catalogue/scenario_info.h).
void DescribeScenarios(const std::vector<Scenario>& scenarios, const std::vector<Target>& targets,
                       const std::filesystem::path& root, RunEnvironment& env);

}  // namespace dspy_compat
