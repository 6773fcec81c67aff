#include "targets/environment_cache.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "core/iso_time.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

constexpr const char* kMarker = "dspy-compat-env.json";

// An exclusive flock held for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const fs::path& path)
      : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw ProvisionError(fmt::format("cannot open lock file {}", path.string()));
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

bool EnvironmentCache::IsFinished(const fs::path& dir, const Target& target) const {
  auto marker = ReadMarker(dir);
  return marker && marker->value("lock_hash", "") == target.lock_hash &&
         marker->value("dspy_version", "") == target.dspy_version &&
         fs::exists(dir / "bin" / "python");
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

  Target ready = target;
  fs::path dir = DirFor(target);
  ready.interpreter = dir / "bin" / "python";
  if (IsFinished(dir, target)) return ready;

  fs::create_directories(dir.parent_path());
  FileLock lock(dir.string() + ".lock");
  if (lock.waited() && log)
    log(fmt::format("{}: waited for another process to provision it", target.name));
  if (IsFinished(dir, target)) return ready;  // the other process finished it

  std::error_code ec;
  fs::remove_all(dir, ec);  // unfinished leftovers of a crashed attempt
  fs::path staging = dir.string() + fmt::format(".partial-{}", ::getpid());
  fs::remove_all(staging, ec);
  if (log)
    log(fmt::format("{}: installing DSPy {} from {}", target.name, target.dspy_version,
                    target.lock_file.string()));
  try {
    builder_.Build(target, staging);
    auto probe = builder_.Probe(staging / "bin" / "python");
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
    std::ofstream(staging / kMarker) << marker.dump(2) << '\n';
    fs::rename(staging, dir);
  } catch (const ProvisionError&) {
    fs::remove_all(staging, ec);
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
    out.push_back({marker->value("target", ""), marker->value("dspy_version", ""),
                   marker->value("python_version", ""), marker->value("lock_hash", ""),
                   marker->value("created_at", ""), entry.path()});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.dir < b.dir; });
  return out;
}

}  // namespace dspy_compat
