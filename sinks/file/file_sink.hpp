#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include "ccm/sdk/plugin.hpp"
#include "ccm/sdk/sink.hpp"

namespace ccm::sinks::file {

enum class FsyncMode { Always, Batch, Never };

// The instance's "config" object; defaults match schema.json.
struct FileSinkConfig {
  std::string path;
  FsyncMode fsync = FsyncMode::Batch;
  std::uint64_t rotate_bytes = 104857600;  // 0: never rotate
  std::uint32_t max_files = 5;
  bool create_directories = true;
};

// Appends events as JSON Lines (CloudEvents structured JSON, one per line) to a
// local file, with optional size-based rotation. Assumes it is the file's only
// writer. See docs/sinks/file.md.
class FileSink final : public sdk::Sink {
public:
  // Throws std::invalid_argument naming the config field it cannot use.
  explicit FileSink(const sdk::PluginContext& context);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  std::vector<sdk::Outcome> deliver(const std::vector<sdk::CloudEvent>& batch) override;

private:
  int openFile();
  std::string ensureOpen();
  std::string append(std::string_view line);
  std::string commit();
  void truncateTo(off_t size);
  bool rotationDue(std::size_t line_size) const;
  std::string rotate();
  std::string rotatedPath(std::uint32_t generation) const;
  std::string fail(const std::string& what, int error);

  sdk::Host& host_;
  FileSinkConfig config_;

  std::mutex mutex_;
  int fd_ = -1;
  off_t size_ = 0;         // bytes in the file as this sink wrote them
  off_t synced_size_ = 0;  // size at the last successful fsync (or write, with fsync "never")
  bool regular_file_ = false;  // devices such as /dev/full are never rotated or truncated
};

}  // namespace ccm::sinks::file
