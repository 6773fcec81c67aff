// What the fuzz targets of file readers share: each input written to one
// file of this process under /tmp, removed at exit (libFuzzer ends with
// exit(), so nothing is left behind).
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace dspy_compat::fuzz {

// Writes `data` over this process's scratch file, named after `prefix` the
// first time, and returns its path. One prefix per fuzz target (process).
inline const std::filesystem::path& WriteScratchFile(const char* prefix, const std::uint8_t* data,
                                                     std::size_t size) {
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()));
  // Registered once the path exists, so it runs before the path is destroyed.
  static const bool cleaned = std::atexit([] {
                                std::error_code ec;
                                std::filesystem::remove(file, ec);
                              }) == 0;
  (void)cleaned;
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return file;
}

}  // namespace dspy_compat::fuzz
