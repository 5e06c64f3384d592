#pragma once

#include <string>

#include "api/router.hpp"
#include "ingress/event_ingress.hpp"
#include "observability/metrics_registry.hpp"

namespace ccm::core {

// POST /api/v1/events (CloudEvents HTTP binding), an async route: the server
// reads bodies up to ingress.max_body_bytes (413 as soon as more arrives,
// before it is all buffered); `ingress` decides, and the answer is 202 with
// the receipt (after the commit) or a problem details body. `ingress` must
// outlive the router.
// With `metrics`: ccm_ingress_events_total{result} for every event of an
// accepted request, ccm_ingress_requests_rejected_total{status} per refusal.
void addIngressRoute(Router& router, const EventIngress& ingress, MetricsRegistry* metrics = nullptr);

// {"accepted":N,"items":[{"id","source","type","result"}]}; result is
// "applied", "unchanged", "forwarded" or "duplicate".
std::string receiptJson(const IngressReceipt& receipt);
// RFC 9457 problem details with the extension members "attribute",
// "pointer" and "member" when they are known (and WWW-Authenticate on a
// missing bearer token).
HttpResponse rejectionResponse(const IngressRejection& rejection);

}  // namespace ccm::core
