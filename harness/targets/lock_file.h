// A target's lock file: pip-compile's format, every package pinned with
// "name==version" and at least one "--hash=sha256:..." (uv pip compile
// --generate-hashes writes it). Parsed to validate it before anything is
// installed, and hashed to key the environment cache.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace dspy_compat {

class LockFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LockedPackage {
  std::string name;  // normalised: lower case, '_' and '.' as '-'
  std::string version;
  std::vector<std::string> hashes;  // "sha256:<hex>"
};

struct LockFile {
  std::vector<LockedPackage> packages;
  std::string sha256;  // of the file's bytes, hex
  const LockedPackage* Find(const std::string& name) const;
};

// source names the file in error messages ("path:line: what is wrong").
LockFile ParseLockFile(const std::string& text, const std::string& source);
LockFile ReadLockFile(const std::filesystem::path& path);

std::string NormalisePackageName(std::string name);

}  // namespace dspy_compat
