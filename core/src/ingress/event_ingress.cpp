#include "ingress/event_ingress.hpp"

#include <Poco/Logger.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>

#include "ccm/sdk/codec.hpp"
#include "ccm/sdk/time.hpp"
#include "config/config_loader.hpp"
#include "ingress/inbound_trace.hpp"
#include "observability/json_log.hpp"

namespace ccm::core {
namespace {

Poco::Logger& ingressLog() {
  return Poco::Logger::get("ccm.ingress");
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> contentType(const sdk::Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (lowerCase(name) == "content-type") return value;
  }
  return std::nullopt;
}

std::string mediaType(const std::string& content_type) {
  std::string essence = lowerCase(content_type.substr(0, content_type.find(';')));
  while (!essence.empty() && essence.back() == ' ') essence.pop_back();
  while (!essence.empty() && essence.front() == ' ') essence.erase(0, 1);
  return essence;
}

// HTTP binding 3: structured and batch by media type, binary by ce-* headers.
// Anything else is not a CloudEvent at all.
std::optional<IngressRejection> checkContentType(const sdk::Headers& headers) {
  const auto type = contentType(headers);
  const std::string media = type ? mediaType(*type) : "";
  if (media == sdk::kStructuredContentType || media == sdk::kBatchContentType) return std::nullopt;
  if (media.starts_with("application/cloudevents")) {
    return IngressRejection{ErrorCategory::UnsupportedMediaType,
                            "Content-Type \"" + *type + "\" is an unsupported event format; send " +
                                std::string(sdk::kStructuredContentType) + " or " + std::string(sdk::kBatchContentType),
                            "Content-Type",
                            {},
                            {}};
  }
  for (const auto& [name, value] : headers) {
    if (lowerCase(name).starts_with("ce-")) return std::nullopt;
  }
  const std::string detail = "Content-Type \"" + type.value_or("") + "\" without ce-* headers is not a CloudEvent; " +
                             "send " + std::string(sdk::kStructuredContentType) + ", " +
                             std::string(sdk::kBatchContentType) +
                             ", or binary mode (ce-specversion, ce-id, ce-source and ce-type headers)";
  return IngressRejection{ErrorCategory::UnsupportedMediaType, detail, "Content-Type", {}, {}};
}

// The codec names a batch member as "[3].type"; split it into index and attribute.
IngressRejection parseRejection(const sdk::Error& error) {
  IngressRejection rejection{ErrorCategory::Invalid, error.message, error.where, {}, {}};
  if (error.where.starts_with("[")) {
    const auto close = error.where.find(']');
    rejection.member = std::stoul(error.where.substr(1, close - 1));
    rejection.attribute = close + 1 < error.where.size() ? error.where.substr(close + 2) : "";
  }
  return rejection;
}

std::string describe(const sdk::CloudEvent& event, std::size_t index, bool batch) {
  return (batch ? "batch member [" + std::to_string(index) + "] " : std::string("event ")) + "(id \"" + event.id +
         "\", type \"" + event.type + "\")";
}

// One debug line per inbound event, with the trace id its caused events carry.
void logReceipt(const IngressReceipt& receipt, const std::vector<EventTrace>& traces) {
  for (std::size_t i = 0; i < receipt.items.size(); ++i) {
    const auto& item = receipt.items[i];
    sdk::LogFields fields{
        {"id", item.id}, {"source", item.source}, {"type", item.type}, {"result", resultName(item.result)}};
    if (traces[i]) fields.emplace_back("trace_id", traces[i]->trace_id);
    logWithFields(ingressLog(), sdk::LogLevel::Debug, "inbound event", fields);
  }
}

}  // namespace

const char* resultName(IngressReceipt::Result result) {
  switch (result) {
    case IngressReceipt::Result::Applied:
      return "applied";
    case IngressReceipt::Result::Unchanged:
      return "unchanged";
    case IngressReceipt::Result::Forwarded:
      return "forwarded";
    case IngressReceipt::Result::Duplicate:
      return "duplicate";
  }
  return "";
}

EventIngress::EventIngress(GatewayConfig::Ingress settings, std::vector<IngressSource> sources,
                           std::optional<Credentials> forward_credentials, ClaimTable claims, Lifecycle& lifecycle,
                           Clock now)
    : settings_(std::move(settings)),
      sources_(std::move(sources)),
      forward_credentials_(std::move(forward_credentials)),
      claims_(std::move(claims)),
      lifecycle_(lifecycle),
      commands_(lifecycle),
      now_(std::move(now)) {}

sdk::Result<std::unique_ptr<EventIngress>> EventIngress::create(GatewayConfig::Ingress settings,
                                                                std::vector<IngressSource> sources,
                                                                std::optional<Credentials> forward_credentials,
                                                                Lifecycle& lifecycle, Clock now) {
  std::vector<SourceClaims> all;
  for (const auto& source : sources) all.push_back({source.name, source.source->claims()});
  auto claims = ClaimTable::build(all);
  if (!claims) return claims.error();
  return std::unique_ptr<EventIngress>(new EventIngress(std::move(settings), std::move(sources),
                                                        std::move(forward_credentials), std::move(claims.value()),
                                                        lifecycle, std::move(now)));
}

void EventIngress::acceptAsync(const sdk::Headers& headers, std::string_view body, IngressAnswer answer) const {
  if (auto rejection = checkContentType(headers)) return answer(*rejection);
  auto parsed = sdk::parseHttp(headers, body, sdk::ParseLimits{settings_.max_depth});
  if (!parsed) return answer(parseRejection(parsed.error()));
  const bool batch = mediaType(contentType(headers).value_or("")) == sdk::kBatchContentType;
  auto routed = route(parsed.value(), headers, body, batch);
  if (auto* rejection = std::get_if<IngressRejection>(&routed)) return answer(*rejection);
  auto traces = inboundTraces(parsed.value(), headers);
  apply(std::move(parsed.value()), std::move(std::get<std::vector<const Claim*>>(routed)), std::move(traces), batch,
        std::move(answer));
}

std::variant<std::vector<const Claim*>, IngressRejection> EventIngress::route(
    const std::vector<sdk::CloudEvent>& events, const sdk::Headers& headers, std::string_view body, bool batch) const {
  auto member = [batch](std::size_t i) { return batch ? std::optional<std::size_t>(i) : std::nullopt; };
  std::vector<const Claim*> claims(events.size(), nullptr);
  // Credentials come first, so a sender without them learns nothing about
  // the data schemas. Each distinct credential is checked once.
  std::vector<const Credentials*> checked;
  for (std::size_t i = 0; i < events.size(); ++i) {
    claims[i] = claims_.find(events[i].type);
    const Credentials* credentials = nullptr;
    if (claims[i] != nullptr) {
      credentials = &sources_[claims[i]->source_index].credentials;
    } else if (settings_.unclaimed == GatewayConfig::Ingress::Unclaimed::Reject) {
      return IngressRejection{
          ErrorCategory::Unprocessable,
          describe(events[i], i, batch) + ": no source claims this type (ingress.unclaimed is \"reject\")",
          "type",
          {},
          member(i)};
    } else if (forward_credentials_) {
      credentials = &*forward_credentials_;
    }
    if (credentials == nullptr || std::find(checked.begin(), checked.end(), credentials) != checked.end()) continue;
    if (auto failure = checkCredentials(*credentials, headers, body)) {
      const std::string owner = claims[i] ? "source \"" + claims[i]->source_name + "\"" : "forwarded events";
      return IngressRejection{
          failure->category,
          describe(events[i], i, batch) + " needs the credentials of " + owner + ": " + failure->detail,
          failure->header,
          {},
          member(i)};
    }
    checked.push_back(credentials);
  }
  // The source's data schema, before the source sees the event.
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (claims[i] == nullptr) continue;
    const auto& data = events[i].data;
    if (data.kind() != sdk::Data::Kind::Json) {
      return IngressRejection{ErrorCategory::Unprocessable,
                              describe(events[i], i, batch) + ": source \"" + claims[i]->source_name +
                                  "\" needs JSON data (datacontenttype application/json)",
                              "datacontenttype", "/data", member(i)};
    }
    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag>(data.value().c_str(), data.value().size());
    if (auto error = claims[i]->data_schema->validate(document, "/data")) {
      return IngressRejection{ErrorCategory::Unprocessable, describe(events[i], i, batch) + ": " + error->message, "data", error->where,
                              member(i)};
    }
  }
  return claims;
}

// What one request's events did while its group committed; lives until the
// commit has answered.
struct EventIngress::Applying {
  std::vector<sdk::CloudEvent> events;
  std::vector<const Claim*> claims;
  std::vector<EventTrace> traces;  // what the events each one causes carry
  bool batch;
  IngressAnswer answer;
  std::vector<SessionTransition> made;
  std::vector<bool> changed;
  std::size_t failing = 0;
  std::string failing_pointer;  // where a source's translate() found fault in the event
};

void EventIngress::apply(std::vector<sdk::CloudEvent> events, std::vector<const Claim*> claims,
                         std::vector<EventTrace> traces, bool batch, IngressAnswer answer) const {
  auto state = std::make_shared<Applying>();
  state->changed.assign(events.size(), false);
  state->events = std::move(events);
  state->claims = std::move(claims);
  state->traces = std::move(traces);
  state->batch = batch;
  state->answer = std::move(answer);
  const auto dedup_until = sdk::formatRfc3339(now_() + std::chrono::seconds(settings_.dedup_ttl_seconds));
  const bool refusable =
      std::any_of(state->claims.begin(), state->claims.end(), [](const Claim* claim) { return claim != nullptr; });
  // `state` is kept alive by the `done` callback until the commit answers;
  // `apply` (called before it) may use it through a plain pointer.
  Applying* s = state.get();
  lifecycle_.submitIngressBatch(
      s->events, dedup_until, refusable,
      [this, s](UnitOfWork& uow, std::size_t i) -> std::optional<Error> {
        s->failing = i;
        if (s->claims[i] == nullptr) return std::nullopt;  // forwarded: logged, nothing to apply
        const auto& owner = sources_[s->claims[i]->source_index];
        auto commands = owner.source->translate(s->events[i]);
        if (!commands) {
          if (commands.error().where.starts_with("/")) s->failing_pointer = commands.error().where;
          return Error::unprocessable(commands.error().message);
        }
        const auto before = s->made.size();
        uow.useTrace(s->traces[i]);
        if (auto problem = commands_.apply(uow, commands.value(), s->made)) return problem;
        s->changed[i] = s->made.size() > before;
        return std::nullopt;
      },
      [this, state](Lifecycle::IngressResults results, std::exception_ptr error) {
        IngressOutcome outcome = IngressRejection{ErrorCategory::Internal, "the answer could not be built", {}, {}, {}};
        try {
          outcome = answered(*state, results, error);
        } catch (const std::exception& e) {  // out of memory, say: the caller still gets an answer
          logWithFields(ingressLog(), sdk::LogLevel::Error, "ingress answer failed", {{"error", e.what()}});
        }
        state->answer(std::move(outcome));
      });
}

IngressOutcome EventIngress::answered(const Applying& state, const Lifecycle::IngressResults& results,
                                      std::exception_ptr error) const {
  if (error) {
    // The group's transaction rolled back: nothing of this request was applied.
    auto category = ErrorCategory::Internal;
    std::string reason = "unknown error";
    try {
      std::rethrow_exception(error);
    } catch (const StoreError& e) {
      category = ErrorCategory::Unavailable;  // the client may retry
      reason = e.what();
    } catch (const std::exception& e) {
      reason = e.what();
    } catch (...) {
    }
    logWithFields(ingressLog(), sdk::LogLevel::Error, "ingress commit failed", {{"error", reason}});
    return IngressRejection{category, "nothing was applied: " + reason, {}, {}, {}};
  }
  const auto& events = state.events;
  if (!results) {
    const auto& problem = results.error();
    const auto failing = state.failing;
    return IngressRejection{problem.category,
                            describe(events[failing], failing, state.batch) + ": " + problem.detail,
                            {},
                            state.failing_pointer,
                            state.batch ? std::optional<std::size_t>(failing) : std::nullopt};
  }
  IngressReceipt receipt;
  receipt.items.reserve(events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto result = IngressReceipt::Result::Duplicate;
    if (results.value()[i] == Lifecycle::IngressResult::Applied) {
      result = state.claims[i] == nullptr ? IngressReceipt::Result::Forwarded
               : state.changed[i]         ? IngressReceipt::Result::Applied
                                          : IngressReceipt::Result::Unchanged;
    }
    receipt.items.push_back({events[i].id, events[i].source, events[i].type, result});
  }
  if (ingressLog().debug()) logReceipt(receipt, state.traces);
  return receipt;
}

sdk::Result<std::unique_ptr<EventIngress>> makeEventIngress(const GatewayConfig& config,
                                                            const std::vector<std::shared_ptr<sdk::Source>>& sources,
                                                            Lifecycle& lifecycle,
                                                            const TokenVerifierFor& verifier_for) {
  if (sources.size() != config.sources.size()) {
    throw std::logic_error("makeEventIngress: one source instance per configured source expected");
  }
  auto credentialsOf = [&config, &verifier_for](const std::optional<IngressAuthConfig>& auth,
                                                const std::string& at) -> sdk::Result<Credentials> {
    // The core schema requires "auth" on every source; forward_auth is optional.
    if (!auth) return sdk::Error{at, at + ": credentials are required"};
    auto credentials = resolveCredentials(*auth, verifier_for);
    if (!credentials) return locateInFile(credentials.error(), config.file, config.value_lines);
    return credentials;
  };
  std::vector<IngressSource> ingress_sources;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const auto& instance = config.sources[i];
    auto credentials = credentialsOf(instance.auth, instance.pointer + "/auth");
    if (!credentials) return credentials.error();
    ingress_sources.push_back({instance.name, sources[i], std::move(credentials.value())});
  }
  std::optional<Credentials> forward;
  if (config.ingress.forward_auth) {
    auto credentials = credentialsOf(config.ingress.forward_auth, "/ingress/forward_auth");
    if (!credentials) return credentials.error();
    forward = std::move(credentials.value());
  }
  auto ingress = EventIngress::create(config.ingress, std::move(ingress_sources), std::move(forward), lifecycle,
                                      [] { return std::chrono::system_clock::now(); });
  if (!ingress) {
    return locateInFile({"/sources", "/sources: " + ingress.error().message}, config.file, config.value_lines);
  }
  return ingress;
}

}  // namespace ccm::core
