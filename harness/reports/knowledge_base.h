// What the report knows about DSPy itself: the changes between releases
// that explain a failure signature, and what to do about each. Keyed by a
// regular expression over the error signature and the DSPy versions that
// behave so, so that "No LM is loaded." on 2.5.40 is explained while the
// same text on another release is not explained by the wrong change.
// The entries are data (fixtures/knowledge/dspy.toml, keys documented in
// fixtures/knowledge/README.md); a team adds its own with --knowledge FILE.
#pragma once

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace re2 {
class RE2;
}

namespace dspy_compat {

// A malformed knowledge file; what() is one line naming the file and the key.
class KnowledgeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Reference {
  std::string label;  // "stanfordnlp/dspy#1867"
  std::string url;
};

struct KnownChange {
  std::string id;
  std::string signature_pattern;  // RE2 regex, searched in the signature
  std::string since;              // first DSPy version that behaves so; "" = any
  std::string until;              // first version that no longer does; "" = none yet
  std::string title;              // one line, Markdown inline code allowed
  std::string change;             // the DSPy change that explains it
  std::string cause;              // the same as a noun phrase, for a verdict's sentence
  std::string root_cause;
  std::string remediation;
  bool regression = true;  // false: present in the releases compared alike, not an upgrade issue
  std::vector<Reference> references;
};

// The bundled file under the source root.
std::filesystem::path BundledKnowledgeFile(const std::filesystem::path& root);

class KnowledgeBase {
 public:
  // Knows nothing: every signature is unexplained.
  KnowledgeBase() = default;
  // Loads `files` in order (see Load).
  explicit KnowledgeBase(const std::vector<std::filesystem::path>& files);

  // Reads and validates one knowledge file, adding its entries after those
  // already loaded and recording the file and its SHA-256. Throws
  // KnowledgeError (unreadable file, bad TOML, unknown or missing key, bad
  // pattern or version, an id already loaded).
  void Load(const std::filesystem::path& file);

  // The first change (in load order) whose pattern matches `signature` and
  // whose version range holds `dspy_version` (an empty version matches only
  // open ranges), or nullptr when nothing known explains it.
  const KnownChange* Diagnose(std::string_view signature, std::string_view dspy_version) const;

  const std::vector<KnownChange>& changes() const { return changes_; }
  // What a results file records of the knowledge a report used.
  const std::vector<KnowledgeFileInfo>& files() const { return files_; }

 private:
  std::vector<KnownChange> changes_;
  // Aligned with changes_. RE2, not std::regex: a signature is a run's
  // message of any length, and std::regex recurses per character.
  std::vector<std::shared_ptr<const re2::RE2>> patterns_;
  std::vector<KnowledgeFileInfo> files_;
};

}  // namespace dspy_compat
