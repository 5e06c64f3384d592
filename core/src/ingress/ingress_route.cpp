#include "ingress/ingress_route.hpp"

#include "api/error_status.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ccm::core {
namespace {

// One registry update per result kind, not per event: this runs on the
// committing thread.
void countResults(MetricsRegistry& metrics, const IngressReceipt& receipt) {
  using Result = IngressReceipt::Result;
  std::size_t counts[4] = {0, 0, 0, 0};
  for (const auto& item : receipt.items) ++counts[static_cast<std::size_t>(item.result)];
  for (const auto result : {Result::Applied, Result::Unchanged, Result::Forwarded, Result::Duplicate}) {
    if (const auto count = counts[static_cast<std::size_t>(result)]; count > 0) {
      metrics.add("ccm_ingress_events_total", static_cast<double>(count), {{"result", resultName(result)}});
    }
  }
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

HttpResponse rejectionResponse(const IngressRejection& rejection) {
  std::vector<ProblemMember> extensions;
  if (!rejection.attribute.empty()) extensions.push_back({"attribute", rejection.attribute});
  if (!rejection.pointer.empty()) extensions.push_back({"pointer", rejection.pointer});
  if (rejection.member) extensions.push_back({"member", static_cast<std::uint64_t>(*rejection.member)});
  auto response = problemResponse(httpStatus(rejection.category), rejection.detail, extensions);
  if (rejection.category == ErrorCategory::Unauthenticated && rejection.attribute == "Authorization") {
    response.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ccm-gateway\"");
  }
  return response;
}

void addIngressRoute(Router& router, const EventIngress& ingress, MetricsRegistry* metrics) {
  if (metrics != nullptr) {
    metrics->describe("ccm_ingress_events_total", sdk::MetricType::Counter,
                      "Inbound events of accepted requests, by result (applied, unchanged, forwarded, duplicate).");
    metrics->describe("ccm_ingress_requests_rejected_total", sdk::MetricType::Counter,
                      "POST /api/v1/events requests refused after they were read, by status.");
  }
  const BodyLimit limit{ingress.settings().max_body_bytes, "ingress.max_body_bytes"};
  router.addAsync(
      "POST", "/api/v1/events",
      [&ingress, metrics](HttpRequest request, HttpResponder responder) {
        // Checked and parsed here, on the loop thread; answered by the
        // committing thread once the events are durable.
        ingress.acceptAsync(request.headers, request.body, [responder, metrics](IngressOutcome outcome) {
          if (const auto* rejection = std::get_if<IngressRejection>(&outcome)) {
            if (metrics != nullptr) {
              metrics->add("ccm_ingress_requests_rejected_total", 1, {{"status", std::to_string(httpStatus(rejection->category))}});
            }
            return responder.send(rejectionResponse(*rejection));
          }
          const auto& receipt = std::get<IngressReceipt>(outcome);
          if (metrics != nullptr) countResults(*metrics, receipt);
          responder.send({202, {{"Content-Type", "application/json"}}, receiptJson(receipt), false});
        });
      },
      limit);
}

}  // namespace ccm::core
