#include "results/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

namespace dspy_compat {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void ThrowIo(std::string_view what, const fs::path& path, int err) {
  throw fs::filesystem_error(std::string(what), path,
                             std::error_code(err, std::generic_category()));
}

// Owns a file descriptor so every early exit closes it.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Close(); }
  int get() const { return fd_; }
  int Close() {
    int rc = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      ThrowIo("cannot write", path, errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Writes `text` to a fresh temporary beside `path` and returns its name;
// removes the temporary and rethrows if anything fails.
fs::path WriteTemporary(const fs::path& path, std::string_view text) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  std::string pattern = (folder / (path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  Fd fd(::mkstemp(name.data()));
  if (fd.get() < 0) ThrowIo("cannot create a temporary file for", path, errno);
  fs::path temporary(name.data());
  try {
    // mkstemp creates 0600; what the harness leaves behind is meant to be shared.
    if (::fchmod(fd.get(), 0644) != 0) ThrowIo("cannot set permissions of", temporary, errno);
    WriteAll(fd.get(), text, temporary);
    if (::fsync(fd.get()) != 0) ThrowIo("cannot flush", temporary, errno);
    if (fd.Close() != 0) ThrowIo("cannot close", temporary, errno);
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return temporary;
}

// Makes the rename itself durable. Best effort: some file systems refuse
// fsync on a folder, and the file is already complete and in place.
void SyncFolder(const fs::path& path) {
  fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  Fd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

}  // namespace

void WriteFileAtomically(const fs::path& path, std::string_view text) {
  fs::path temporary = WriteTemporary(path, text);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temporary.c_str());
    ThrowIo("cannot rename the temporary file onto", path, err);
  }
  SyncFolder(path);
}

int ReadWholeFile(const fs::path& path, std::string& text) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return 0;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace dspy_compat
