#include "audit/scan.h"

#include <fmt/format.h>

#include <fstream>

#include "process/subprocess.h"

namespace dspy_compat {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const json& Field(const json& object, const char* key, json::value_t type, const std::string& at) {
  auto it = object.find(key);
  bool ok =
      it != object.end() &&
      (it->type() == type || (type == json::value_t::number_integer && it->is_number_unsigned()) ||
       (type == json::value_t::number_float && it->is_number()));
  if (!ok) throw AuditInputError(fmt::format("scan {}{}: missing or of the wrong type", at, key));
  return *it;
}

std::string String(const json& object, const char* key, const std::string& at) {
  return Field(object, key, json::value_t::string, at).get<std::string>();
}

int Int(const json& object, const char* key, const std::string& at) {
  return Field(object, key, json::value_t::number_integer, at).get<int>();
}

}  // namespace

Scan ScanFromJson(const json& document) {
  if (!document.is_object()) throw AuditInputError("scan: not a JSON object");
  if (String(document, "schema", "") != kScanSchema) {
    throw AuditInputError(fmt::format("scan schema: expected {}, got {}", kScanSchema,
                                      document["schema"].get<std::string>()));
  }
  Scan scan;
  scan.python = String(document, "python", "");
  scan.files_scanned = Int(document, "files_scanned", "");
  scan.seconds = Field(document, "seconds", json::value_t::number_float, "").get<double>();
  for (const auto& id : Field(document, "patterns", json::value_t::array, "")) {
    if (!id.is_string()) throw AuditInputError("scan patterns: not a list of strings");
    scan.patterns.push_back(id.get<std::string>());
  }
  const auto& findings = Field(document, "findings", json::value_t::array, "");
  for (std::size_t i = 0; i < findings.size(); ++i) {
    std::string at = fmt::format("findings[{}].", i);
    const json& item = findings[i];
    if (!item.is_object())
      throw AuditInputError(fmt::format("scan findings[{}]: not an object", i));
    Finding f;
    f.file = String(item, "file", at);
    f.line = Int(item, "line", at);
    f.column = Int(item, "column", at);
    f.end_line = Int(item, "end_line", at);
    f.pattern = String(item, "pattern", at);
    f.message = String(item, "message", at);
    f.snippet = String(item, "snippet", at);
    f.suppressed = Field(item, "suppressed", json::value_t::boolean, at).get<bool>();
    f.suppression = String(item, "suppression", at);
    if (f.line < 1 || f.column < 1) {
      throw AuditInputError(fmt::format("scan {}line: positions are 1-based", at));
    }
    scan.findings.push_back(std::move(f));
  }
  const auto& errors = Field(document, "parse_errors", json::value_t::array, "");
  for (std::size_t i = 0; i < errors.size(); ++i) {
    std::string at = fmt::format("parse_errors[{}].", i);
    if (!errors[i].is_object()) throw AuditInputError("scan " + at + ": not an object");
    scan.parse_errors.push_back({String(errors[i], "file", at), Int(errors[i], "line", at),
                                 String(errors[i], "message", at)});
  }
  return scan;
}

Scan RunScanner(const ScannerCommand& command) {
  fs::create_directories(command.work_dir);
  fs::path output = command.work_dir / "scan.json";
  fs::path log = command.work_dir / "scan.log";
  fs::remove(output);
  ProcessSpec spec;
  // -I: the project's PYTHONPATH or a sitecustomize must not change the scan.
  spec.argv = {command.python.string(), "-I", command.script.string(), "--output", output.string(),
               command.root.string()};
  spec.env = CurrentEnvironment();
  spec.output_path = log;
  spec.timeout = command.timeout;
  ProcessOutcome outcome = RunProcess(spec);
  if (!outcome.started) {
    throw ScannerError(fmt::format("cannot start the scanner with {}: {}", command.python.string(),
                                   outcome.start_error));
  }
  if (outcome.timed_out) throw ScannerError("the scanner did not finish within its time limit");
  if (outcome.exit_code != 0) {
    std::string tail = outcome.output_tail;
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) tail.pop_back();
    if (auto nl = tail.rfind('\n'); nl != std::string::npos) tail = tail.substr(nl + 1);
    throw ScannerError(fmt::format("the scanner ({}) failed{}: {}", command.python.string(),
                                   outcome.exit_code ? fmt::format(" (exit {})", *outcome.exit_code)
                                                     : std::string(" (killed)"),
                                   tail));
  }
  std::ifstream in(output);
  json document;
  try {
    document = json::parse(in);
  } catch (const json::parse_error& e) {
    throw ScannerError(
        fmt::format("the scanner wrote no valid JSON ({}): {}", output.string(), e.what()));
  }
  try {
    return ScanFromJson(document);
  } catch (const AuditInputError& e) {
    throw ScannerError(fmt::format("{} (from {})", e.what(), output.string()));
  }
}

}  // namespace dspy_compat
