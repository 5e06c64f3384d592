#include "plugin/http_client.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

namespace ccm::core {
namespace {

std::once_flag ssl_initialized;

Poco::Timespan toTimespan(std::chrono::milliseconds ms) { return Poco::Timespan(ms.count() * 1000); }

sdk::Error transportError(const Poco::Exception& e) {
  if (dynamic_cast<const Poco::TimeoutException*>(&e)) return {"timeout", "timed out: " + e.displayText()};
  if (dynamic_cast<const Poco::Net::SSLException*>(&e)) return {"tls", "TLS failure: " + e.displayText()};
  if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e) ||
      dynamic_cast<const Poco::Net::HostNotFoundException*>(&e) ||
      dynamic_cast<const Poco::Net::NoAddressFoundException*>(&e)) {
    return {"connect", "cannot connect: " + e.displayText()};
  }
  return {"protocol", e.displayText()};
}

// Reads the body into `out` unless it is longer than `limit` bytes; a
// declared length over the limit is refused before reading. The connection
// is not reused after a refusal (the rest of the body is still on it).
bool readBounded(std::istream& body, const Poco::Net::HTTPResponse& response, std::size_t limit, std::string& out) {
  if (response.hasContentLength() && response.getContentLength64() > static_cast<Poco::Int64>(limit)) return false;
  char buffer[16 * 1024];
  while (body) {
    body.read(buffer, sizeof buffer);
    const auto got = static_cast<std::size_t>(body.gcount());
    if (got > limit - out.size()) return false;
    out.append(buffer, got);
  }
  return true;
}

}  // namespace

PooledHttpClient::PooledHttpClient(sdk::HttpClientOptions options) : options_(std::move(options)) {}

PooledHttpClient::Session PooledHttpClient::acquire(const std::string& scheme, const std::string& host,
                                                    std::uint16_t port, bool& reused) {
  const std::string key = scheme + "://" + host + ":" + std::to_string(port);
  {
    std::lock_guard lock(mutex_);
    auto& idle = idle_[key];
    if (!idle.empty()) {
      Session session = std::move(idle.back());
      idle.pop_back();
      reused = true;
      return session;
    }
  }
  reused = false;
  Session session;
  if (scheme == "https") {
    std::call_once(ssl_initialized, [] { Poco::Net::initializeSSL(); });
    std::lock_guard lock(mutex_);
    if (!tls_context_) {
      const auto& tls = options_.tls;
      tls_context_ = new Poco::Net::Context(
          Poco::Net::Context::TLS_CLIENT_USE, tls.key_file, tls.cert_file, tls.ca_file,
          tls.verify_peer ? Poco::Net::Context::VERIFY_RELAXED : Poco::Net::Context::VERIFY_NONE, 9,
          tls.ca_file.empty());
    }
    session = std::make_unique<Poco::Net::HTTPSClientSession>(host, port, tls_context_);
  } else {
    session = std::make_unique<Poco::Net::HTTPClientSession>(host, port);
  }
  session->setKeepAlive(true);
  session->setTimeout(toTimespan(options_.connect_timeout), toTimespan(options_.read_timeout),
                      toTimespan(options_.read_timeout));
  return session;
}

void PooledHttpClient::release(const std::string& key, Session session) {
  std::lock_guard lock(mutex_);
  auto& idle = idle_[key];
  if (idle.size() < options_.max_idle_connections) idle.push_back(std::move(session));
}

sdk::Result<sdk::HttpResponse> PooledHttpClient::send(const sdk::HttpRequest& request) {
  Poco::URI uri;
  try {
    uri = Poco::URI(request.url);
  } catch (const Poco::Exception& e) {
    return sdk::Error{"url", "invalid URL \"" + request.url + "\": " + e.displayText()};
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https") {
    return sdk::Error{"url", "unsupported URL scheme in \"" + request.url + "\" (expected http or https)"};
  }
  const std::string key = uri.getScheme() + "://" + uri.getHost() + ":" + std::to_string(uri.getPort());
  // The request target is taken from the URL as written: Poco::URI decodes
  // the path, which would turn an encoded "%2F" inside an id into a separator.
  std::string target = "/";
  if (const auto authority = request.url.find("://"); authority != std::string::npos) {
    if (const auto slash = request.url.find('/', authority + 3); slash != std::string::npos) {
      target = request.url.substr(slash, request.url.find('#', slash) - slash);
    } else if (const auto query = request.url.find('?', authority + 3); query != std::string::npos) {
      target = "/" + request.url.substr(query, request.url.find('#', query) - query);
    }
  }

  // A pooled connection may have been closed by the server while idle; such a
  // failure before any response byte is retried once on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = false;
    Session session;
    try {
      session = acquire(uri.getScheme(), uri.getHost(), uri.getPort(), reused);
      Poco::Net::HTTPRequest http_request(request.method, target, Poco::Net::HTTPMessage::HTTP_1_1);
      http_request.setKeepAlive(true);
      for (const auto& [name, value] : request.headers) http_request.set(name, value);
      http_request.setContentLength(static_cast<std::streamsize>(request.body.size()));
      session->sendRequest(http_request) << request.body;

      Poco::Net::HTTPResponse http_response;
      std::istream& body = session->receiveResponse(http_response);
      sdk::HttpResponse response;
      response.status = static_cast<int>(http_response.getStatus());
      response.reason = http_response.getReason();
      for (const auto& [name, value] : http_response) response.headers.emplace_back(name, value);
      if (!readBounded(body, http_response, options_.max_response_bytes, response.body)) {
        return sdk::Error{"protocol", "the response body is longer than " +
                                          std::to_string(options_.max_response_bytes) + " bytes (HTTP " +
                                          std::to_string(response.status) + ")"};
      }
      if (http_response.getKeepAlive()) release(key, std::move(session));
      return response;
    } catch (const Poco::Net::NoMessageException&) {
      if (!reused || attempt == 1) return sdk::Error{"protocol", "connection closed without a response"};
    } catch (const Poco::Net::ConnectionResetException& e) {
      if (!reused || attempt == 1) return transportError(e);
    } catch (const Poco::Exception& e) {
      return transportError(e);
    } catch (const std::exception& e) {
      return sdk::Error{"protocol", e.what()};
    }
  }
  return sdk::Error{"protocol", "connection closed without a response"};
}

}  // namespace ccm::core
