// results.json: the one file a session leaves behind and the only input of
// reports and gate decisions. The schema is versioned so that an old report
// tool refuses a newer file instead of misreading it; results_schema.md
// documents every field and what each harness version added.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string_view>

#include "core/model.h"

namespace dspy_compat {

inline constexpr std::string_view kResultsSchema = "dspy-compat/results/v1";

// A results file that cannot be used: unreadable, not JSON, another schema,
// or a field missing or of the wrong type. what() is one line naming the
// field, e.g. "runs[3].status: unknown status \"passed\"".
class ResultsFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

nlohmann::json ToJson(const Results& results);

// Validates everything it reads; unknown keys are ignored so that additions
// within v1 stay readable by older tools.
Results ResultsFromJson(const nlohmann::json& json);

// Writes through a temporary file in the same folder, fsyncs it and renames
// it over `path`, so a reader (or a crash) never leaves half a file. Throws
// std::filesystem::filesystem_error on I/O failure.
void WriteResultsFile(const std::filesystem::path& path, const Results& results);

// Throws ResultsFormatError (message prefixed with the path) when the file
// cannot be read, is not JSON, or does not validate.
Results ReadResultsFile(const std::filesystem::path& path);

}  // namespace dspy_compat
