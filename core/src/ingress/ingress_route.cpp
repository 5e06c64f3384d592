#include "ingress/ingress_route.hpp"

#include <algorithm>

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/problem_details.hpp"

namespace ccm::core {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

const char* resultName(IngressReceipt::Result result) {
  switch (result) {
    case IngressReceipt::Result::Applied: return "applied";
    case IngressReceipt::Result::Unchanged: return "unchanged";
    case IngressReceipt::Result::Forwarded: return "forwarded";
    case IngressReceipt::Result::Duplicate: return "duplicate";
  }
  return "";
}

const char* titleFor(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

// Closing a connection with unread request bytes resets it, and the client
// may lose the 413 before reading it; so up to this much of a refused body
// is read and discarded (never kept) first.
constexpr std::size_t kDrainBytes = 4 << 20;

void drain(std::istream& in, std::size_t at_most) {
  char buffer[64 * 1024];
  while (at_most > 0 && in.read(buffer, static_cast<std::streamsize>(std::min(sizeof buffer, at_most))).gcount() > 0) {
    at_most -= static_cast<std::size_t>(in.gcount());
  }
}

// Reads at most `limit` bytes; std::nullopt as soon as the body is longer.
std::optional<std::string> readBounded(std::istream& in, std::size_t limit, std::streamsize announced) {
  std::string body;
  if (announced > 0) body.reserve(static_cast<std::size_t>(announced));
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    const auto count = static_cast<std::size_t>(in.gcount());
    if (body.size() + count > limit) return std::nullopt;
    body.append(buffer, count);
  }
  return body;
}

// The body, or std::nullopt when it is longer than `limit`: refused on the
// Content-Length alone when there is one, else once reading passes the limit.
std::optional<std::string> readBody(HTTPServerRequest& request, std::size_t limit) {
  const std::streamsize announced = request.hasContentLength() ? request.getContentLength64() : -1;
  if (announced < 0 || static_cast<std::uint64_t>(announced) <= limit) {
    if (auto body = readBounded(request.stream(), limit, announced)) return body;
  }
  if (announced < 0 || static_cast<std::uint64_t>(announced) <= limit + kDrainBytes) {
    drain(request.stream(), kDrainBytes);
  }
  return std::nullopt;
}

void sendRejection(HTTPServerResponse& response, const IngressRejection& rejection) {
  if (rejection.status == 401 && rejection.attribute == "Authorization") {
    response.set("WWW-Authenticate", "Bearer realm=\"ccm-gateway\"");
  }
  sendBody(response, rejection.status, "application/problem+json", rejectionJson(rejection));
}

}  // namespace

std::string receiptJson(const IngressReceipt& receipt) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("accepted");
  writer.Uint64(receipt.items.size());
  writer.Key("items");
  writer.StartArray();
  for (const auto& item : receipt.items) {
    writer.StartObject();
    writer.Key("id");
    writer.String(item.id);
    writer.Key("source");
    writer.String(item.source);
    writer.Key("type");
    writer.String(item.type);
    writer.Key("result");
    writer.String(resultName(item.result));
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string rejectionJson(const IngressRejection& rejection) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("type");
  writer.String("about:blank");
  writer.Key("title");
  writer.String(titleFor(rejection.status));
  writer.Key("status");
  writer.Int(rejection.status);
  writer.Key("detail");
  writer.String(rejection.detail);
  if (!rejection.attribute.empty()) {
    writer.Key("attribute");
    writer.String(rejection.attribute);
  }
  if (!rejection.pointer.empty()) {
    writer.Key("pointer");
    writer.String(rejection.pointer);
  }
  if (rejection.member) {
    writer.Key("member");
    writer.Uint64(*rejection.member);
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

void addIngressRoute(Router& router, const EventIngress& ingress) {
  router.add("POST", "/api/v1/events", [&ingress](HTTPServerRequest& rq, HTTPServerResponse& rs, const PathParams&) {
    const std::size_t limit = ingress.settings().max_body_bytes;
    auto body = readBody(rq, limit);
    if (!body) {
      // What is left of the body stays unread: the connection cannot be reused.
      rs.setKeepAlive(false);
      return sendRejection(
          rs, {413, "request body exceeds ingress.max_body_bytes (" + std::to_string(limit) + " bytes)", {}, {}, {}});
    }
    sdk::Headers headers;
    for (const auto& [name, value] : rq) headers.emplace_back(name, value);
    const auto outcome = ingress.accept(headers, *body);
    if (const auto* rejection = std::get_if<IngressRejection>(&outcome)) return sendRejection(rs, *rejection);
    sendBody(rs, 202, "application/json", receiptJson(std::get<IngressReceipt>(outcome)));
  });
}

}  // namespace ccm::core
