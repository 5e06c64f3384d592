#include "http/request_parser.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>

namespace ccm::core {
namespace {

constexpr std::size_t kMaxChunkLine = 4096;

bool isTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool isToken(std::string_view text) { return !text.empty() && std::all_of(text.begin(), text.end(), isTokenChar); }

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// A decimal or hex number of at most 15 digits (no overflow), or -1.
long long parseNumber(std::string_view text, int base) {
  if (text.empty() || text.size() > 15) return -1;
  long long value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else if (base == 16 && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else return -1;
    value = value * base + digit;
  }
  return value;
}

// Control characters (and, in a request target, spaces) that must not occur;
// a header value may hold tabs.
bool hasControlCharacter(std::string_view text, bool tabs_allowed = false) {
  return std::any_of(text.begin(), text.end(), [tabs_allowed](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x7f || (u < 0x20 && !(tabs_allowed && c == '\t')) || (!tabs_allowed && c == ' ');
  });
}

}  // namespace

RequestParser::RequestParser(std::size_t max_head_bytes, BodyLimit body_limit)
    : max_head_bytes_(max_head_bytes), body_limit_(std::move(body_limit)) {}

RequestParser::Progress RequestParser::fail(int status, std::string detail) {
  failure_ = Failure{status, std::move(detail)};
  return Progress::Failed;
}

RequestParser::Progress RequestParser::tooLarge() {
  const std::string bytes = std::to_string(limit_.bytes) + " bytes";
  return fail(413, "request body exceeds " + (limit_.setting.empty() ? bytes : limit_.setting + " (" + bytes + ")"));
}

RequestParser::Progress RequestParser::parse(std::string& input) {
  if (failure_) return Progress::Failed;
  if (state_ == State::Head) {
    if (auto progress = parseHead(input); progress != Progress::Complete) return progress;
  }
  if (state_ == State::FixedBody) {
    const std::size_t take = std::min(remaining_, input.size());
    if (take == input.size() && request_.body.empty()) {
      request_.body.swap(input);  // the usual case: the whole body, nothing after it
      input.clear();
    } else {
      request_.body.append(input, 0, take);
      input.erase(0, take);
    }
    remaining_ -= take;
    if (remaining_ > 0) return Progress::NeedMore;
    state_ = State::Done;
  }
  if (state_ == State::ChunkSize || state_ == State::ChunkData || state_ == State::Trailers) {
    if (auto progress = parseChunked(input); progress != Progress::Complete) return progress;
  }
  return Progress::Complete;
}

RequestParser::Progress RequestParser::parseHead(std::string& input) {
  // RFC 9112 2.2: empty lines before a request line are ignored.
  std::size_t start = 0;
  while (start + 1 < input.size() && input[start] == '\r' && input[start + 1] == '\n') start += 2;
  if (start > 0) {
    input.erase(0, start);
    head_scanned_ = 0;
  }
  const std::size_t from = head_scanned_ > 3 ? head_scanned_ - 3 : 0;
  const std::size_t end = input.find("\r\n\r\n", from);
  if (end == std::string::npos) {
    head_scanned_ = input.size();
    if (input.size() > max_head_bytes_) {
      return fail(431, "the request line and headers exceed " + std::to_string(max_head_bytes_) + " bytes");
    }
    return Progress::NeedMore;
  }
  if (end + 4 > max_head_bytes_) {
    return fail(431, "the request line and headers exceed " + std::to_string(max_head_bytes_) + " bytes");
  }
  const std::string_view head(input.data(), end + 2);
  request_ = HttpRequest{};
  expect_continue_ = false;

  const std::size_t line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const std::size_t first_space = line.find(' ');
  const std::size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || last_space == first_space) {
    return fail(400, "malformed request line");
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  const std::string_view version = line.substr(last_space + 1);
  if (!isToken(method)) return fail(400, "malformed request method");
  if (target.empty() || hasControlCharacter(target)) return fail(400, "malformed request target");
  if (version == "HTTP/1.1") {
    request_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version = 0;
  } else if (version.starts_with("HTTP/")) {
    return fail(505, "HTTP version \"" + std::string(version) + "\" is not supported; use HTTP/1.1");
  } else {
    return fail(400, "malformed HTTP version");
  }
  request_.method = method;
  request_.target = target;

  std::size_t at = line_end + 2;
  while (at < head.size()) {
    const std::size_t next = head.find("\r\n", at);
    const std::string_view field = head.substr(at, next - at);
    at = next + 2;
    if (field.front() == ' ' || field.front() == '\t') return fail(400, "obsolete header line folding");
    const std::size_t colon = field.find(':');
    if (colon == std::string_view::npos || !isToken(field.substr(0, colon))) {
      return fail(400, "malformed header line");
    }
    const auto value = trimmed(field.substr(colon + 1));
    // A bare CR, LF or NUL would let another parser split the field (RFC 9110 5.5).
    if (hasControlCharacter(value, true)) return fail(400, "a header value holds a control character");
    request_.headers.emplace_back(std::string(field.substr(0, colon)), std::string(value));
  }
  input.erase(0, end + 4);
  head_scanned_ = 0;

  const auto hosts = std::count_if(request_.headers.begin(), request_.headers.end(),
                                   [](const auto& header) { return equalsIgnoreCase(header.first, "Host"); });
  if (request_.minor_version == 1 && hosts == 0) return fail(400, "an HTTP/1.1 request needs a Host header");
  if (hosts > 1) return fail(400, "more than one Host header");
  // Framing (RFC 9112 6): chunked, or Content-Length, never both, and never
  // two different lengths; anything a proxy might read differently is refused.
  const std::string* transfer_encoding = nullptr;
  std::optional<long long> length;
  for (const auto& [name, value] : request_.headers) {
    if (equalsIgnoreCase(name, "Transfer-Encoding")) {
      if (transfer_encoding != nullptr) return fail(400, "more than one Transfer-Encoding header");
      transfer_encoding = &value;
    }
    if (!equalsIgnoreCase(name, "Content-Length")) continue;
    const long long this_length = parseNumber(value, 10);
    if (this_length < 0) return fail(400, "malformed Content-Length \"" + value + "\"");
    if (length && this_length != *length) return fail(400, "conflicting Content-Length headers");
    length = this_length;
  }
  if (transfer_encoding != nullptr) {
    if (length) return fail(400, "a request must not carry both Transfer-Encoding and Content-Length");
    if (request_.minor_version == 0) return fail(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    if (!equalsIgnoreCase(trimmed(*transfer_encoding), "chunked")) {
      return fail(501, "Transfer-Encoding \"" + *transfer_encoding + "\" is not supported; use chunked");
    }
  }
  if (const auto* expect = request_.header("Expect")) {
    if (!equalsIgnoreCase(trimmed(*expect), "100-continue")) {
      failure_ = Failure{417, "Expect \"" + *expect + "\" is not supported"};
      return Progress::Failed;
    }
    expect_continue_ = request_.minor_version > 0;  // an HTTP/1.0 client is not waiting for it (RFC 9110 10.1.1)
  }
  limit_ = body_limit_(request_);
  if (transfer_encoding != nullptr) {
    state_ = State::ChunkSize;
  } else if (length.value_or(0) > 0) {
    if (static_cast<unsigned long long>(*length) > limit_.bytes) return tooLarge();
    request_.body.reserve(static_cast<std::size_t>(*length));
    remaining_ = static_cast<std::size_t>(*length);
    state_ = State::FixedBody;
  } else {
    state_ = State::Done;
  }
  return Progress::Complete;
}

RequestParser::Progress RequestParser::parseChunked(std::string& input) {
  while (true) {
    if (state_ == State::ChunkSize) {
      const std::size_t end = input.find("\r\n");
      if (end == std::string::npos) {
        return input.size() > kMaxChunkLine ? fail(400, "malformed chunk size line") : Progress::NeedMore;
      }
      std::string_view line(input.data(), end);
      // Chunk extensions are ignored, but like any field they must not hide
      // a bare LF another parser would split on.
      if (hasControlCharacter(line, true)) return fail(400, "a chunk size line holds a control character");
      line = line.substr(0, line.find(';'));
      while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
      const long long size = parseNumber(line, 16);
      if (size < 0) return fail(400, "malformed chunk size \"" + std::string(line) + "\"");
      if (request_.body.size() + static_cast<unsigned long long>(size) > limit_.bytes) return tooLarge();
      input.erase(0, end + 2);
      remaining_ = static_cast<std::size_t>(size);
      state_ = size == 0 ? State::Trailers : State::ChunkData;
    } else if (state_ == State::ChunkData) {
      if (input.size() < remaining_ + 2) return Progress::NeedMore;
      if (input[remaining_] != '\r' || input[remaining_ + 1] != '\n') return fail(400, "a chunk does not end in CRLF");
      request_.body.append(input, 0, remaining_);
      input.erase(0, remaining_ + 2);
      state_ = State::ChunkSize;
    } else if (state_ == State::Trailers) {
      // Trailer fields are read and dropped; none of ours means anything.
      const std::size_t end = input.find("\r\n");
      if (end == std::string::npos) {
        return input.size() > max_head_bytes_ ? fail(431, "the trailer fields are too large") : Progress::NeedMore;
      }
      if (hasControlCharacter(std::string_view(input.data(), end), true)) {
        return fail(400, "a trailer field holds a control character");
      }
      input.erase(0, end + 2);
      if (end == 0) {
        state_ = State::Done;
        return Progress::Complete;
      }
    } else {
      return Progress::Complete;
    }
  }
}

HttpRequest RequestParser::take() {
  state_ = State::Head;
  expect_continue_ = false;
  return std::move(request_);
}

}  // namespace ccm::core
