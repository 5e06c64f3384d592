#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ccm/sdk/result.hpp"

// What the gateway gives a plugin. Every service here is thread-safe and is
// owned by the gateway, which outlives every plugin object.
namespace ccm::sdk {

enum class LogLevel { Debug, Info, Warning, Error };
using LogFields = std::vector<std::pair<std::string, std::string>>;

// Structured logging; the gateway writes one JSON object per line and adds the
// plugin instance name to every record.
class Logger {
public:
  virtual ~Logger() = default;
  virtual void log(LogLevel level, std::string_view message, const LogFields& fields = {}) = 0;
};

using MetricLabels = std::vector<std::pair<std::string, std::string>>;
enum class MetricType { Counter, Gauge, Histogram };

// Prometheus metrics. describe() a name once before using it; the gateway
// prefixes plugin metric names with "ccm_plugin_" and adds an "instance" label.
class Metrics {
public:
  virtual ~Metrics() = default;
  virtual void describe(std::string_view name, MetricType type, std::string_view help) = 0;
  virtual void add(std::string_view counter, double value, const MetricLabels& labels = {}) = 0;
  virtual void set(std::string_view gauge, double value, const MetricLabels& labels = {}) = 0;
  virtual void observe(std::string_view histogram, double value, const MetricLabels& labels = {}) = 0;
};

class Clock {
public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct TlsOptions {
  std::string ca_file;      // empty: the system's CA store
  std::string cert_file;    // client certificate (PEM), optional
  std::string key_file;     // its private key (PEM)
  bool verify_peer = true;  // certificate and host name verification
};

struct HttpClientOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds read_timeout{30000};
  std::size_t max_idle_connections = 8;  // keep-alive pool size per host
  TlsOptions tls;
  // A longer response body is an Error ("protocol"), read no further: a
  // receiver cannot make the gateway hold an unbounded answer in memory.
  std::size_t max_response_bytes = 4 * 1024 * 1024;
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;  // http:// or https://
  HttpHeaders headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  HttpHeaders headers;
  std::string body;

  // Case-insensitive lookup of the first header with this name.
  std::optional<std::string> header(std::string_view name) const;
};

// Error::where is "connect", "timeout", "tls" or "protocol" for transport
// failures; an HTTP status of any value is a response, not an error.
class HttpClient {
public:
  virtual ~HttpClient() = default;
  // Thread-safe; keeps idle connections alive for reuse.
  virtual Result<HttpResponse> send(const HttpRequest& request) = 0;
};

class Host {
public:
  virtual ~Host() = default;
  virtual Logger& logger() = 0;
  virtual Metrics& metrics() = 0;
  virtual const Clock& clock() = 0;
  virtual std::unique_ptr<HttpClient> makeHttpClient(const HttpClientOptions& options) = 0;
  // "env:NAME" reads an environment variable, "file:/path" a file (trailing
  // newline removed). An unset variable or unreadable file is an Error.
  virtual Result<std::string> resolveSecret(std::string_view reference) = 0;
};

}  // namespace ccm::sdk
