// A session's --out folder: one session at a time (an exclusive flock on a
// marker file inside it), only what dspy-compat made (a folder of someone
// else's files is refused, never cleaned), and no file of an earlier session
// left beside the new one's results.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace dspy_compat {

// Why a folder cannot be a session's --out; the message is one line naming
// the folder and what to do.
struct OutFolderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The marker a session leaves in its --out folder: the folder is
// dspy-compat's, and the file a session holds locked while it runs.
inline constexpr const char* kOutMarker = ".dspy-compat-out";

// The --out folder, held (flock LOCK_EX) for as long as this object lives; the
// kernel drops the lock when the process dies, however it dies.
class OutFolder {
 public:
  // Takes `dir` for a session: creates it if missing; refuses (throws
  // OutFolderError, touching nothing) a folder that holds files and no
  // marker, one another session holds, or one the harness cannot write.
  // Then removes what an earlier session left there (results.json unless
  // `resume`, the report files, `work/`, half-written temporaries), so that
  // a killed session never leaves an old report beside new results.
  static OutFolder Take(const std::filesystem::path& dir, bool resume);

  OutFolder(OutFolder&& other) noexcept;
  OutFolder& operator=(OutFolder&&) = delete;
  OutFolder(const OutFolder&) = delete;
  ~OutFolder();

 private:
  explicit OutFolder(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace dspy_compat
