#include "cli/out_folder.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <utility>

#include "reports/report_formats.h"

namespace dspy_compat {
namespace fs = std::filesystem;

namespace {

// Written by a session (results, reports, run folders, atomic writes'
// temporaries). A folder of these alone, without the marker, was made by a
// release from before the marker and is taken as dspy-compat's too.
bool MadeByASession(const fs::path& name, bool is_folder) {
  const std::string text = name.string();
  if (is_folder) return text == "work";
  if (text == "results.json" || text == kOutMarker) return true;
  for (const ReportFormat& format : ReportFormats()) {
    if (!format.file.empty() && text == format.file) return true;
  }
  // WriteFileAtomically's temporaries: NAME.tmp.XXXXXX of a file above.
  if (auto at = text.find(".tmp."); at != std::string::npos) {
    return MadeByASession(text.substr(0, at), false);
  }
  return false;
}

[[noreturn]] void Refuse(const fs::path& dir, std::string_view why) {
  throw OutFolderError(fmt::format("--out {}: {}", dir.string(), why));
}

}  // namespace

OutFolder OutFolder::Take(const fs::path& dir, bool resume) {
  std::error_code ec;
  const fs::path marker = dir / kOutMarker;
  const bool marked = fs::exists(marker, ec);
  if (!marked && fs::is_directory(dir, ec)) {
    // Only a folder dspy-compat made: a user's own work/ or files are never
    // cleaned away.
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      const bool folder = entry.is_directory(ec);
      if (!MadeByASession(entry.path().filename(), folder) || folder) {
        Refuse(dir, fmt::format("the folder holds {} that dspy-compat did not make; give an "
                                "empty or new folder (a session removes what an earlier one "
                                "left there)",
                                entry.path().filename().string()));
      }
    }
    if (ec) Refuse(dir, fmt::format("cannot list the folder: {}", ec.message()));
  } else if (!marked && fs::exists(dir, ec)) {
    Refuse(dir, "not a folder");
  }
  if (resume && !marked) Refuse(dir, "no session of dspy-compat to resume there");
  fs::create_directories(dir, ec);
  if (ec) Refuse(dir, fmt::format("cannot create the folder: {}", ec.message()));

  const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    Refuse(dir, fmt::format("cannot write in the folder ({}: {})", marker.string(),
                            std::strerror(errno)));
  }
  OutFolder held(fd);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      Refuse(dir,
             "another dspy-compat session is writing to this folder; wait for it to end "
             "or give another --out");
    }
    Refuse(dir, fmt::format("cannot lock {}: {}", marker.string(), std::strerror(errno)));
  }
  // Held: what an earlier session left goes. A killed session's report must
  // not sit beside this one's partial results.json.
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    const fs::path name = entry.path().filename();
    const bool folder = entry.is_directory(ec);
    if (name == kOutMarker || !MadeByASession(name, folder)) continue;
    if (resume && name == "results.json") continue;
    fs::remove_all(entry.path(), ec);
    if (ec) {
      Refuse(dir, fmt::format("cannot remove {} of an earlier session: {}", entry.path().string(),
                              ec.message()));
    }
  }
  if (ec) Refuse(dir, fmt::format("cannot list the folder: {}", ec.message()));
  return held;
}

OutFolder::OutFolder(OutFolder&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

OutFolder::~OutFolder() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace dspy_compat
