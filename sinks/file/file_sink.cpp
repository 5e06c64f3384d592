#include "file_sink.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <exception>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <rapidjson/document.h>

#include "ccm/sdk/codec.hpp"

namespace ccm::sinks::file {
namespace {

constexpr std::string_view kEventsWritten = "file_sink_events_written_total";
constexpr std::string_view kWriteErrors = "file_sink_write_errors_total";
constexpr std::string_view kRotations = "file_sink_rotations_total";
constexpr std::uint32_t kMaxFilesLimit = 1000;  // same bound as schema.json

std::invalid_argument invalid(std::string_view field, const std::string& why) {
  return std::invalid_argument("file sink config \"" + std::string(field) + "\": " + why);
}

std::string errorText(int error) { return std::generic_category().message(error); }

std::string toLine(const sdk::CloudEvent& event) {
  std::string line = sdk::toStructured(event);
  // JSON data is embedded as given. In valid JSON a raw line break can only be
  // insignificant whitespace, so a space keeps both its meaning and one line per event.
  std::replace_if(line.begin(), line.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  line += '\n';
  return line;
}

FileSinkConfig parseConfig(const std::string& json) {
  rapidjson::Document document;
  // A missing "config" object may reach us as empty text: report the missing path.
  const std::string text = json.empty() ? "{}" : json;
  document.Parse(text.data(), text.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw std::invalid_argument("file sink config: must be a JSON object");
  }
  FileSinkConfig config;
  bool has_path = false;
  for (const auto& member : document.GetObject()) {
    const std::string_view key(member.name.GetString(), member.name.GetStringLength());
    const auto& value = member.value;
    if (key == "path") {
      if (!value.IsString() || value.GetStringLength() == 0) throw invalid(key, "must be a non-empty string");
      config.path.assign(value.GetString(), value.GetStringLength());
      if (config.path.find('\0') != std::string::npos) throw invalid(key, "must not contain NUL characters");
      has_path = true;
    } else if (key == "fsync") {
      const std::string_view mode = value.IsString() ? value.GetString() : "";
      if (mode == "always") {
        config.fsync = FsyncMode::Always;
      } else if (mode == "batch") {
        config.fsync = FsyncMode::Batch;
      } else if (mode == "never") {
        config.fsync = FsyncMode::Never;
      } else {
        throw invalid(key, "must be \"always\", \"batch\" or \"never\"");
      }
    } else if (key == "rotate_bytes") {
      // off_t is signed: sizes beyond INT64_MAX cannot be compared with the file's.
      if (!value.IsInt64() || value.GetInt64() < 0) throw invalid(key, "must be an integer >= 0");
      config.rotate_bytes = static_cast<std::uint64_t>(value.GetInt64());
    } else if (key == "max_files") {
      if (!value.IsUint() || value.GetUint() < 1 || value.GetUint() > kMaxFilesLimit) {
        throw invalid(key, "must be an integer from 1 to " + std::to_string(kMaxFilesLimit));
      }
      config.max_files = value.GetUint();
    } else if (key == "create_directories") {
      if (!value.IsBool()) throw invalid(key, "must be a boolean");
      config.create_directories = value.GetBool();
    } else {
      throw invalid(key, "is not a known setting");
    }
  }
  if (!has_path) throw invalid("path", "is required");
  return config;
}

}  // namespace

FileSink::FileSink(const sdk::PluginContext& context)
    : host_(context.host), config_(parseConfig(context.config_json)) {
  if (config_.create_directories) {
    const auto parent = std::filesystem::path(config_.path).parent_path();
    std::error_code error;
    if (!parent.empty()) std::filesystem::create_directories(parent, error);
    if (error) throw invalid("path", "cannot create directory " + parent.string() + ": " + error.message());
  }
  if (const int error = openFile(); error != 0) {
    throw invalid("path", "cannot open " + config_.path + ": " + errorText(error));
  }
  auto& metrics = host_.metrics();
  metrics.describe(kEventsWritten, sdk::MetricType::Counter, "Events appended to the file and synced as configured");
  metrics.describe(kWriteErrors, sdk::MetricType::Counter, "Failed opens, writes, fsyncs and renames of the file");
  metrics.describe(kRotations, sdk::MetricType::Counter, "Times the file was rotated");
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<sdk::Outcome> FileSink::deliver(const std::vector<sdk::CloudEvent>& batch) {
  std::lock_guard lock(mutex_);
  std::size_t written = 0;
  std::size_t committed = 0;
  // Makes the written events durable as the fsync mode asks; a failed fsync
  // takes them back out of the file, so they are retried rather than doubled.
  const auto settle = [&] {
    std::string error = commit();
    if (error.empty()) {
      committed = written;
    } else {
      written = committed;
    }
    return error;
  };

  std::string error;
  for (const auto& event : batch) {
    std::string line;
    try {
      line = toLine(event);
    } catch (const std::exception& e) {
      error = std::string("cannot serialize event: ") + e.what();
      break;
    }
    if (error = ensureOpen(); !error.empty()) break;
    if (rotationDue(line.size())) {
      // The old file's events must be durable before it is renamed away.
      if (error = settle(); !error.empty()) break;
      if (error = rotate(); !error.empty()) break;
    }
    if (error = append(line); !error.empty()) break;
    ++written;
    if (config_.fsync == FsyncMode::Always) {
      if (error = settle(); !error.empty()) break;
    }
  }
  // Events written before a failure still get their fsync.
  if (std::string sync_error = settle(); error.empty()) error = std::move(sync_error);

  if (committed > 0) host_.metrics().add(kEventsWritten, static_cast<double>(committed));
  std::vector<sdk::Outcome> outcomes(committed);
  outcomes.resize(batch.size(), sdk::Outcome::retryable(error));
  return outcomes;
}

int FileSink::openFile() {
  const int fd = ::open(config_.path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const int error = errno;
    ::close(fd);
    return error;
  }
  fd_ = fd;
  size_ = synced_size_ = status.st_size;
  regular_file_ = S_ISREG(status.st_mode);
  return 0;
}

std::string FileSink::ensureOpen() {
  if (fd_ >= 0) return {};
  if (const int error = openFile(); error != 0) return fail("cannot open " + config_.path, error);
  return {};
}

std::string FileSink::append(std::string_view line) {
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t count = ::write(fd_, line.data() + done, line.size() - done);
    if (count >= 0) {
      done += static_cast<std::size_t>(count);
      continue;
    }
    if (errno == EINTR) continue;
    const int error = errno;
    if (done > 0) truncateTo(size_);  // never leave a torn line behind
    return fail("cannot write " + config_.path, error);
  }
  size_ += static_cast<off_t>(line.size());
  return {};
}

std::string FileSink::commit() {
  if (fd_ < 0 || size_ == synced_size_) return {};
  // EINVAL/EROFS: a pipe or device that has nothing to sync.
  if (config_.fsync != FsyncMode::Never && ::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) {
    const int error = errno;
    truncateTo(synced_size_);
    return fail("cannot fsync " + config_.path, error);
  }
  synced_size_ = size_;
  return {};
}

void FileSink::truncateTo(off_t size) {
  if (!regular_file_) return;
  if (::ftruncate(fd_, size) != 0) {
    host_.logger().log(sdk::LogLevel::Error, "file sink: cannot remove a partly written line",
                       {{"path", config_.path}, {"error", errorText(errno)}});
    return;
  }
  size_ = size;
}

bool FileSink::rotationDue(std::size_t line_size) const {
  return regular_file_ && config_.rotate_bytes > 0 && size_ > 0 &&
         static_cast<std::uint64_t>(size_) + line_size > config_.rotate_bytes;
}

std::string FileSink::rotate() {
  // Each rename replaces its target, so path.<max_files> (the oldest) is dropped.
  for (std::uint32_t generation = config_.max_files; generation > 1; --generation) {
    const std::string from = rotatedPath(generation - 1);
    if (::rename(from.c_str(), rotatedPath(generation).c_str()) != 0 && errno != ENOENT) {
      const int error = errno;
      return fail("cannot rename " + from, error);
    }
  }
  const std::string first = rotatedPath(1);
  // ENOENT: the file was removed by hand; a new one is opened all the same.
  if (::rename(config_.path.c_str(), first.c_str()) != 0 && errno != ENOENT) {
    const int error = errno;
    return fail("cannot rename " + config_.path, error);
  }
  ::close(fd_);
  fd_ = -1;
  size_ = synced_size_ = 0;
  if (std::string error = ensureOpen(); !error.empty()) return error;
  host_.logger().log(sdk::LogLevel::Info, "file sink rotated its file", {{"path", config_.path}, {"rotated_to", first}});
  host_.metrics().add(kRotations, 1);
  return {};
}

std::string FileSink::rotatedPath(std::uint32_t generation) const {
  return config_.path + "." + std::to_string(generation);
}

std::string FileSink::fail(const std::string& what, int error) {
  const std::string reason = errorText(error);
  host_.logger().log(sdk::LogLevel::Error, "file sink: " + what, {{"path", config_.path}, {"error", reason}});
  host_.metrics().add(kWriteErrors, 1);
  return what + ": " + reason;
}

}  // namespace ccm::sinks::file
