#include "targets/environment_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <system_error>

#include "core/iso_time.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = "dspy-compat-env.json";

// Writes a small file, checking the write: a full disk must not leave a
// truncated marker that looks like another problem.
void WriteMarkerFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    throw ProvisionError(fmt::format("cannot write {}: {}", path.string(),
                                     std::error_code(errno, std::generic_category()).message()));
  }
}

// An exclusive flock held for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const fs::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) {
      throw ProvisionError(fmt::format("cannot open lock file {}: {}", path.string(),
                                       std::error_code(errno, std::generic_category()).message()));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    waited_ = true;
    if (::flock(fd_, LOCK_EX) != 0) {
      ::close(fd_);
      throw ProvisionError(fmt::format("cannot lock {}", path.string()));
    }
  }
  ~FileLock() { ::close(fd_); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool waited() const { return waited_; }

 private:
  int fd_;
  bool waited_ = false;
};

std::optional<nlohmann::json> ReadMarker(const fs::path& dir) {
  std::ifstream in(dir / kMarker);
  if (!in) return std::nullopt;
  auto json = nlohmann::json::parse(in, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::nullopt;
  return json;
}

// A marker's string field; anything else (the file is on disk, editable) reads
// as empty, where json::value() would throw type_error.302.
std::string MarkerField(const nlohmann::json& marker, const char* key) {
  auto it = marker.find(key);
  return it != marker.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Every file of an environment as it was provisioned: "<size>\t<path>" for a
// file, "-\t<path>" for a symbolic link (bin/python points at the system's),
// paths relative to the environment. Bytecode caches are left out: Python may
// write them later. Checked on every use: one lstat per file (tens of ms for
// DSPy's ~10k files), and a damaged cache is found before a run imports it.
constexpr const char* kManifest = "dspy-compat-files.txt";

bool Skipped(const fs::path& relative) {
  for (const auto& part : relative) {
    if (part == "__pycache__") return true;
  }
  return relative.extension() == ".pyc" || relative == kMarker || relative == kManifest;
}

void WriteManifest(const fs::path& dir) {
  std::string text;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    fs::path relative = it->path().lexically_relative(dir);
    std::string name = relative.string();
    if (Skipped(relative) || name.find_first_of("\t\n") != std::string::npos) continue;
    if (it->is_symlink()) {
      text += "-\t" + name + "\n";
    } else if (it->is_regular_file()) {
      text += fmt::format("{}\t{}\n", it->file_size(), name);
    }
  }
  WriteMarkerFile(dir / kManifest, text);
}

// What is wrong with the environment against its manifest, or nothing.
std::optional<std::string> CheckManifest(const fs::path& dir) {
  std::ifstream in(dir / kManifest);
  if (!in) return std::string("its file list ") + kManifest + " is missing";
  std::string line;
  while (std::getline(in, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) return fmt::format("its file list {} is damaged", kManifest);
    std::string size = line.substr(0, tab), name = line.substr(tab + 1);
    std::error_code ec;
    fs::file_status status = fs::symlink_status(dir / name, ec);
    if (ec || !fs::exists(status)) return fmt::format("{} is missing", name);
    if (size == "-") {
      if (!fs::exists(dir / name, ec)) return fmt::format("{} points nowhere", name);
      continue;
    }
    auto actual = fs::is_regular_file(status) ? fs::file_size(dir / name, ec) : 0;
    if (ec || std::to_string(actual) != size) {
      return fmt::format("{} has {} bytes, {} when provisioned", name, actual, size);
    }
  }
  return std::nullopt;
}

}  // namespace

EnvironmentCache::EnvironmentCache(fs::path root, EnvironmentBuilder& builder)
    : root_(std::move(root)), builder_(builder) {}

fs::path EnvironmentCache::DefaultRoot() {
  if (const char* own = std::getenv("DSPY_COMPAT_CACHE"); own != nullptr && *own != '\0') {
    return fs::path(own);
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg != '\0') {
    return fs::path(xdg) / "dspy-compat";
  }
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "dspy-compat";
}

fs::path EnvironmentCache::DirFor(const Target& target) const {
  return root_ / "envs" / fmt::format("{}-{}", target.name, target.lock_hash.substr(0, 16));
}

fs::path EnvironmentCache::ProjectDirFor(const Target& target,
                                         const std::string& input_hash) const {
  return root_ / "projects" / fmt::format("{}-{}", target.name, input_hash.substr(0, 16));
}

bool EnvironmentCache::IsFinished(const fs::path& dir, const Target& target,
                                  const std::string& input_hash) const {
  auto marker = ReadMarker(dir);
  return marker && MarkerField(*marker, "lock_hash") == target.lock_hash &&
         MarkerField(*marker, "dspy_version") == target.dspy_version &&
         MarkerField(*marker, "input_hash") == input_hash;
}

std::optional<std::string> EnvironmentCache::Damage(const fs::path& dir,
                                                    EnvironmentBuilder& builder) {
  if (!fs::exists(dir / kManifest)) {
    // Provisioned before environments had a file list: trust it if it still
    // imports its DSPy, and record what it holds now.
    try {
      builder.Probe(dir / "bin" / "python");
    } catch (const ProvisionError& e) {
      return fmt::format("it no longer imports dspy: {}", e.what());
    }
    try {
      WriteManifest(dir);
    } catch (const std::exception&) {
      // Not damage: the next use probes it again.
    }
    return std::nullopt;
  }
  return CheckManifest(dir);
}

Target EnvironmentCache::SyncUserPython(const Target& target) {
  Target ready = target;
  InterpreterProbe probe;
  try {
    probe = builder_.Probe(target.interpreter);
  } catch (const ProvisionError& e) {
    throw ProvisionError(fmt::format("target {}: {}", target.name, e.what()));
  }
  ready.dspy_version = probe.dspy_version;
  auto dot = probe.python_version.rfind('.');
  ready.python_version = probe.python_version.substr(0, dot);
  return ready;
}

Target EnvironmentCache::Sync(const Target& target, const Log& log) {
  if (target.kind == Target::Kind::kUserPython) return SyncUserPython(target);
  return SyncInto(target, DirFor(target), "", builder_, log);
}

Target EnvironmentCache::SyncProject(const Target& target, const std::string& input_hash,
                                     EnvironmentBuilder& builder, const Log& log) {
  return SyncInto(target, ProjectDirFor(target, input_hash), input_hash, builder, log);
}

Target EnvironmentCache::SyncInto(const Target& target, const fs::path& dir,
                                  const std::string& input_hash, EnvironmentBuilder& builder,
                                  const Log& log) {
  Target ready = target;
  ready.interpreter = dir / "bin" / "python";
  if (IsFinished(dir, target, input_hash) && !CheckManifest(dir)) return ready;

  std::error_code made;
  fs::create_directories(dir.parent_path(), made);
  if (made) {  // a full disk or a read-only cache: named, not an uncaught exception
    throw ProvisionError(fmt::format("target {}: cannot create {}: {}", target.name,
                                     dir.parent_path().string(), made.message()));
  }
  FileLock lock(dir.string() + ".lock");
  if (lock.waited() && log)
    log(fmt::format("{}: waited for another process to provision it", target.name));
  std::optional<std::string> damage;
  if (IsFinished(dir, target, input_hash)) {
    damage = Damage(dir, builder);
    if (!damage) return ready;  // whole, or the other process finished it
    // A file deleted inside the venv would otherwise surface as an import
    // error in every run; say which file, then provision it again.
    if (log) {
      log(fmt::format("{}: the cached environment {} is damaged ({}); provisioning it again",
                      target.name, dir.string(), *damage));
    }
  }

  std::error_code ec;
  fs::remove_all(dir, ec);  // unfinished leftovers of a crashed attempt
  fs::path staging = dir.string() + fmt::format(".partial-{}", ::getpid());
  fs::remove_all(staging, ec);
  if (log)
    log(fmt::format("{}: installing DSPy {} from {}{}", target.name, target.dspy_version,
                    target.lock_file.string(), input_hash.empty() ? "" : ", then the project"));
  try {
    builder.Build(target, staging);
    auto probe = builder.Probe(staging / "bin" / "python");
    if (probe.dspy_version != target.dspy_version) {
      throw ProvisionError(
          fmt::format("target {}: the new environment imports dspy {}, not the "
                      "pinned {}",
                      target.name, probe.dspy_version, target.dspy_version));
    }
    nlohmann::json marker = {{"target", target.name},
                             {"dspy_version", probe.dspy_version},
                             {"python_version", probe.python_version},
                             {"lock_hash", target.lock_hash},
                             {"created_at", IsoUtcNow()}};
    if (!input_hash.empty()) marker["input_hash"] = input_hash;
    WriteManifest(staging);
    WriteMarkerFile(staging / kMarker, marker.dump(2) + "\n");
    fs::rename(staging, dir);
  } catch (const ProvisionError& e) {
    fs::remove_all(staging, ec);
    if (damage) {
      throw ProvisionError(fmt::format("{} (provisioning it again because {} was damaged: {})",
                                       e.what(), dir.string(), *damage));
    }
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(staging, ec);
    throw ProvisionError(fmt::format("target {}: {}", target.name, e.what()));
  }
  if (log) log(fmt::format("{}: ready in {}", target.name, dir.string()));
  return ready;
}

std::vector<CachedEnvironment> EnvironmentCache::List() const {
  std::vector<CachedEnvironment> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "envs", ec)) {
    if (!entry.is_directory() || entry.path().string().find(".partial-") != std::string::npos) {
      continue;
    }
    auto marker = ReadMarker(entry.path());
    if (!marker) continue;
    out.push_back({MarkerField(*marker, "target"), MarkerField(*marker, "dspy_version"),
                   MarkerField(*marker, "python_version"), MarkerField(*marker, "lock_hash"),
                   MarkerField(*marker, "created_at"), entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.dir < b.dir; });
  return out;
}

}  // namespace dspy_compat
