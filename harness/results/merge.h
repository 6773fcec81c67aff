// Combining the results of shards (run --shard I/N on several machines) into
// the one results file an unsharded run of the same matrix would have left:
// the same runs, in plan order, under one environment.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "core/model.h"

namespace dspy_compat {

// Shards that cannot be one session: other targets or lock hashes, another
// seed, another shard count, or a run (or shard) given twice. One line.
class MergeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `command_line` is the merge's own, recorded in the merged environment.
// Shards may be missing (a CI job that failed); the merged file lists the
// ones it has in merged_shards and the gate reports the rest as incomplete.
Results MergeResults(const std::vector<Results>& shards, const std::string& command_line);

}  // namespace dspy_compat
