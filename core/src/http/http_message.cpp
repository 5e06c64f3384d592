#include "http/http_message.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "ccm/sdk/text.hpp"
#include "ccm/sdk/time.hpp"

namespace ccm::core {

using namespace std::string_view_literals;

std::string_view trimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string_view> bearerCredential(std::string_view authorization) {
  const auto text = trimOws(authorization);
  if (text.size() < 7 || !sdk::equalsIgnoreCase(text.substr(0, 7), "Bearer ")) return std::nullopt;
  return trimOws(text.substr(7));
}

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (sdk::equalsIgnoreCase(key, name)) return &value;
  }
  return nullptr;
}

std::string_view HttpRequest::path() const {
  std::string_view path = target;
  return path.substr(0, path.find('?'));
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "";
  }
}

namespace {

// The status line, Date and the response's own headers (without those that
// frame the message, which are the server's).
void appendHead(const HttpResponse& response, int minor_version, std::string_view date, std::string& out) {
  const auto splits = [](std::string_view text) { return text.find_first_of("\r\n\0"sv) != std::string_view::npos; };
  out.append(minor_version == 0 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(response.status));
  out.append(" ").append(reasonPhrase(response.status)).append("\r\n");
  if (!date.empty()) out.append("Date: ").append(date).append("\r\n");
  for (const auto& [name, value] : response.headers) {
    if (sdk::equalsIgnoreCase(name, "Content-Length") || sdk::equalsIgnoreCase(name, "Connection") ||
        sdk::equalsIgnoreCase(name, "Transfer-Encoding") || sdk::equalsIgnoreCase(name, "Date") || splits(name) ||
        splits(value)) {
      continue;  // framing is the server's
    }
    out.append(name).append(": ").append(value).append("\r\n");
  }
}

}  // namespace

void serializeStreamHead(const HttpResponse& head, int minor_version, std::string_view date, std::string& out) {
  appendHead(head, minor_version, date, out);
  if (minor_version > 0) out.append("Transfer-Encoding: chunked\r\nConnection: close\r\n");
  out.append("\r\n");
}

void appendChunk(std::string_view bytes, std::string& out) {
  if (bytes.empty()) return;  // an empty chunk would end the body
  char size[20];
  const int length = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  out.append(size, static_cast<std::size_t>(length)).append(bytes).append("\r\n");
}

void serializeResponse(const HttpResponse& response, int minor_version, bool keep_alive, bool head,
                       std::string_view date, std::string& out) {
  appendHead(response, minor_version, date, out);
  // RFC 9110 8.6: no Content-Length in a 204; a HEAD answer names the GET body's length.
  if (response.status != 204) out.append("Content-Length: ").append(std::to_string(response.body.size())).append("\r\n");
  if (!keep_alive && minor_version > 0) out.append("Connection: close\r\n");
  if (keep_alive && minor_version == 0) out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
  if (!head) out.append(response.body);
}

HttpResponse problemResponse(int status, std::string_view detail, const std::vector<ProblemMember>& extensions) {
  return {status,
          {{"Content-Type", "application/problem+json"}},
          problemJson(status, reasonPhrase(status), detail, extensions),
          false};
}

std::string_view httpDate() {
  thread_local std::time_t formatted_second = -1;
  thread_local std::string text;
  const std::time_t now = std::time(nullptr);
  if (now != formatted_second) {
    text = sdk::formatHttpDate(std::chrono::system_clock::from_time_t(now));
    formatted_second = now;
  }
  return text;
}

std::string problemJson(int status, std::string_view title, std::string_view detail,
                        const std::vector<ProblemMember>& extensions) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  auto text = [&writer](std::string_view value) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  writer.StartObject();
  writer.Key("type");
  writer.String("about:blank");
  writer.Key("title");
  text(title);
  writer.Key("status");
  writer.Int(status);
  writer.Key("detail");
  text(detail);
  for (const auto& member : extensions) {
    writer.Key(member.name.data(), static_cast<rapidjson::SizeType>(member.name.size()));
    if (const auto* value = std::get_if<std::string_view>(&member.value)) text(*value);
    else writer.Uint64(std::get<std::uint64_t>(member.value));
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace ccm::core
