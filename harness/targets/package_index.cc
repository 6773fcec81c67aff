#include "targets/package_index.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "targets/lock_file.h"

namespace dspy_compat {

namespace {

constexpr const char* kPyPiSimple = "https://pypi.org/simple/";
constexpr const char* kSimpleJson = "application/vnd.pypi.simple.v1+json";

// The version part of a distribution's file name: wheels are
// name-version-(build-)python-abi-platform.whl; sdists name-version.tar.gz.
std::optional<std::string> VersionOfFile(const std::string& filename, bool& wheel) {
  wheel = filename.ends_with(".whl");
  std::string stem;
  if (wheel) {
    auto first = filename.find('-');
    if (first == std::string::npos) return std::nullopt;
    auto second = filename.find('-', first + 1);
    if (second == std::string::npos) return std::nullopt;
    return filename.substr(first + 1, second - first - 1);
  }
  for (std::string_view ext : {".tar.gz", ".zip", ".tar.bz2", ".tgz"}) {
    if (filename.ends_with(ext)) stem = filename.substr(0, filename.size() - ext.size());
  }
  auto dash = stem.rfind('-');
  if (stem.empty() || dash == std::string::npos) return std::nullopt;  // eggs, installers
  return stem.substr(dash + 1);
}

// "2024-11-26T17:23:01.476711Z" -> "2024-11-26T17:23:01Z".
std::string ToSecond(const std::string& time) {
  if (time.size() >= 19 && time[10] == 'T') return time.substr(0, 19) + "Z";
  return time;
}

std::size_t Append(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

ProjectPage ParseProjectPage(const std::string& json, const std::string& source) {
  auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("files") ||
      !doc["files"].is_array()) {
    throw IndexError(fmt::format("{}: not a PEP 691 JSON project page", source));
  }
  ProjectPage page;
  // Typed: json::value() throws on a name of another type, and the page is the network's.
  if (auto name = doc.find("name"); name != doc.end() && name->is_string()) {
    page.name = name->get<std::string>();
  }
  for (const auto& f : doc["files"]) {
    if (!f.is_object() || !f.contains("filename") || !f["filename"].is_string()) {
      throw IndexError(fmt::format("{}: a file entry without a filename", source));
    }
    IndexFile file;
    file.filename = f["filename"].get<std::string>();
    auto version = VersionOfFile(file.filename, file.wheel);
    if (!version || !TryParseVersion(*version)) continue;  // legacy files: eggs, odd names
    file.version = *version;
    auto upload = f.find("upload-time");
    if (upload == f.end() || !upload->is_string()) {
      throw IndexError(fmt::format(
          "{}: {} has no upload-time; the index must serve PEP 700 (api-version 1.1) for "
          "release-day resolution",
          source, file.filename));
    }
    file.upload_time = ToSecond(upload->get<std::string>());
    if (auto rp = f.find("requires-python"); rp != f.end() && rp->is_string()) {
      file.requires_python = rp->get<std::string>();
    }
    // PEP 592: false, or true, or the reason as a string.
    if (auto y = f.find("yanked"); y != f.end()) {
      file.yanked = y->is_string() || (y->is_boolean() && y->get<bool>());
    }
    page.files.push_back(std::move(file));
  }
  return page;
}

std::vector<Release> ReleasesOf(const ProjectPage& page) {
  struct Seen {
    Release release;
    bool has_wheel = false;
    bool all_yanked = true;
  };
  std::map<std::string, Seen> by_version;
  for (const IndexFile& file : page.files) {
    Version v = ParseVersion(file.version);
    auto [it, fresh] = by_version.try_emplace(v.ToString());
    Seen& seen = it->second;
    seen.all_yanked = seen.all_yanked && file.yanked;
    // The day a user could install it: its first wheel, else its first file.
    bool better = fresh || (file.wheel && !seen.has_wheel) ||
                  (file.wheel == seen.has_wheel && file.upload_time < seen.release.upload_time);
    if (better) {
      seen.release.version = v;
      seen.release.version_text = v.ToString();
      seen.release.upload_time = file.upload_time;
      seen.release.filename = file.filename;
      seen.release.requires_python = file.requires_python;
      seen.has_wheel = seen.has_wheel || file.wheel;
    }
  }
  std::vector<Release> releases;
  for (auto& [text, seen] : by_version) {
    seen.release.yanked = seen.all_yanked;
    releases.push_back(std::move(seen.release));
  }
  std::sort(releases.begin(), releases.end(),
            [](const Release& a, const Release& b) { return a.version < b.version; });
  return releases;
}

std::string ChooseIndexUrl(const std::string& flag) {
  std::string url = flag;
  for (const char* name : {"UV_INDEX_URL", "PIP_INDEX_URL"}) {
    if (!url.empty()) break;
    if (const char* value = std::getenv(name); value != nullptr) url = value;
  }
  if (url.empty()) url = kPyPiSimple;
  if (!url.ends_with('/')) url += '/';
  return url;
}

HttpPackageIndex::HttpPackageIndex(std::string base_url) : base_url_(std::move(base_url)) {
  if (!base_url_.ends_with('/')) base_url_ += '/';
}

ProjectPage HttpPackageIndex::Project(const std::string& name) {
  const std::string url = base_url_ + NormalisePackageName(name) + "/";
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw IndexError("libcurl could not start");
  std::string body;
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = curl_slist_append(nullptr, fmt::format("Accept: {}", kSimpleJson).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers,
                                                                           curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 120L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_ACCEPT_ENCODING, "");  // gzip: a page is megabytes
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    throw IndexError(fmt::format("cannot read {}: {}", url,
                                 error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 404) {
    throw IndexError(fmt::format("the index {} has no project '{}'", base_url_, name));
  }
  if (status != 200) throw IndexError(fmt::format("{} answered HTTP {}", url, status));
  char* type = nullptr;
  curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_TYPE, &type);
  if (type == nullptr || std::string_view(type).find("json") == std::string_view::npos) {
    throw IndexError(fmt::format("{} did not answer in JSON (PEP 691); got {}", url,
                                 type != nullptr ? type : "no content type"));
  }
  return ParseProjectPage(body, url);
}

}  // namespace dspy_compat
