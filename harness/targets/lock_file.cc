#include "targets/lock_file.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/sha256.h"

namespace dspy_compat {

const LockedPackage* LockFile::Find(const std::string& name) const {
  auto wanted = NormalisePackageName(name);
  for (const auto& p : packages) {
    if (p.name == wanted) return &p;
  }
  return nullptr;
}

std::string NormalisePackageName(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return c == '_' || c == '.' ? '-' : static_cast<char>(std::tolower(c));
  });
  return name;
}

LockFile ParseLockFile(const std::string& text, const std::string& source) {
  // RE2, not std::regex: a lock file line can be any length (the user may edit
  // the file), and std::regex recurses per character.
  static const re2::RE2 kRequirement(
      R"(([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([A-Za-z0-9.!+_-]+)(\s*;[^\\]*)?\s*(\\)?\s*)",
      re2::RE2::Latin1);  // bytes, as the file's other text: no UTF-8 check
  static const re2::RE2 kHash(R"(\s+--hash=(sha256:[0-9a-f]{64})\s*(\\)?\s*)", re2::RE2::Latin1);
  LockFile lock;
  lock.sha256 = Sha256Hex(text);
  std::istringstream in(text);
  std::string line;
  int number = 0;
  bool expect_hash = false;  // the previous line ended with a continuation
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (expect_hash) {
      std::string hash, continued;
      if (!re2::RE2::FullMatch(line, kHash, &hash, &continued)) {
        throw LockFileError(fmt::format("{}:{}: expected '--hash=sha256:<64 hex digits>' for {}",
                                        source, number, lock.packages.back().name));
      }
      lock.packages.back().hashes.push_back(hash);
      expect_hash = !continued.empty();  // an unmatched group reads as ""
      continue;
    }
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    std::string name, extras, version, marker, continued;
    if (!re2::RE2::FullMatch(line, kRequirement, &name, &extras, &version, &marker, &continued)) {
      throw LockFileError(fmt::format(
          "{}:{}: not a pinned requirement ('name==version \\' followed by hashes): '{}'", source,
          number, line.substr(0, 80)));
    }
    lock.packages.push_back({NormalisePackageName(name), version, {}});
    expect_hash = !continued.empty();
  }
  if (expect_hash) {
    throw LockFileError(
        fmt::format("{}: ends inside the hashes of {}", source, lock.packages.back().name));
  }
  if (lock.packages.empty()) {
    throw LockFileError(fmt::format("{}: no pinned packages", source));
  }
  for (const auto& p : lock.packages) {
    if (p.hashes.empty()) {
      throw LockFileError(
          fmt::format("{}: {}=={} has no --hash; regenerate the lock with scripts/lock-target.sh",
                      source, p.name, p.version));
    }
  }
  return lock;
}

LockFile ReadLockFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LockFileError(fmt::format("{}: cannot read the lock file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseLockFile(text.str(), path.string());
}

}  // namespace dspy_compat
