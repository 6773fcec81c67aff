// Whole-file reads and atomic writes for the files the harness leaves
// behind (results.json, a baseline, rendered reports): a reader, or a crash
// half way, never sees half a file.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace dspy_compat {

// Writes through a temporary file in the same folder, fsyncs it and renames
// it over `path`. Throws std::filesystem::filesystem_error on I/O failure,
// leaving no temporary behind.
void WriteFileAtomically(const std::filesystem::path& path, std::string_view text);

// Reads the whole file into `text`; returns 0 or the errno that stopped it
// (a folder or an I/O error is an errno, not a stream exception).
int ReadWholeFile(const std::filesystem::path& path, std::string& text);

}  // namespace dspy_compat
