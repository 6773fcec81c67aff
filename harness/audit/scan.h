// Running the scanner (scanner/dspy_compat_audit.py) on a folder in a
// child Python and reading the JSON it writes. The scanner is stdlib-only
// Python so that any python3 >= 3.9 runs it: the system's, or a target's.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "audit/audit_model.h"

namespace dspy_compat {

inline constexpr std::string_view kScanSchema = "dspy-compat/audit-scan/v1";

// The scanner could not run or did not finish (no interpreter, too old a
// Python, a crash, the time limit). Exit 3: the project's code is not at fault.
class ScannerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Validates the scanner's JSON; throws AuditInputError naming the field.
Scan ScanFromJson(const nlohmann::json& json);

struct ScannerCommand {
  std::filesystem::path python = "python3";  // looked up on PATH without a slash
  std::filesystem::path script;              // dspy_compat_audit.py
  std::filesystem::path root;                // the folder (or file) to scan
  std::filesystem::path work_dir;            // where its JSON and log go
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
};

Scan RunScanner(const ScannerCommand& command);

}  // namespace dspy_compat
