#include "nats_connection.hpp"

#include <nats/nats.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ccm::sinks::nats {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 500ms;
constexpr auto kMaxBackoff = 30s;
// libnats's own reconnects after a lost connection, forever.
constexpr std::int64_t kReconnectWaitMs = 1000;
constexpr std::int64_t kReconnectJitterMs = 100;
constexpr int kMaxPingsOut = 2;
// How long closing waits for a PubAck callback in progress and for libnats to
// report the connection closed.
constexpr std::int64_t kDrainWaitMs = 2000;
constexpr auto kCloseWait = 5s;
constexpr std::string_view kConnectedGauge = "nats_sink_connected";

// libnats's status text, and the detail it recorded for this thread without
// its "(conn.c:1905): " source location.
std::string describe(natsStatus status) {
  std::string text = natsStatus_GetText(status);
  const char* recorded = nats_GetLastError(nullptr);
  std::string_view detail = recorded != nullptr ? recorded : "";
  if (detail.starts_with('(')) {
    if (const std::size_t end = detail.find("): "); end != std::string_view::npos) detail.remove_prefix(end + 3);
  }
  if (!detail.empty() && detail != text) text += ": " + std::string(detail);
  return text;
}

std::string connectionError(natsConnection* nc) {
  const char* text = nullptr;
  const natsStatus status = natsConnection_GetLastError(nc, &text);
  if (text != nullptr && *text != '\0') return text;
  // A closed socket (the server stopped) leaves no error behind.
  return status == NATS_OK ? "the connection was closed" : natsStatus_GetText(status);
}

}  // namespace

struct NatsConnection::Session {
  natsConnection* nc;
  jsCtx* js;
};

struct NatsConnection::Callbacks {
  static void onDisconnected(natsConnection* nc, void* self) {
    auto& connection = *static_cast<NatsConnection*>(self);
    const std::string why = connectionError(nc);
    std::lock_guard lock(connection.mutex_);
    const bool was_connected = connection.connected_;
    connection.connected_ = false;
    // A reload's new sink, with the same instance label, may be connected already.
    if (connection.stopping_) return;
    connection.metrics_.set(kConnectedGauge, 0);
    if (was_connected) {
      connection.last_error_ = "connection lost: " + why;
      connection.logger_.log(sdk::LogLevel::Warning, "nats sink lost its server connection",
                             {{"servers", connection.where()}, {"error", why}});
    }
  }

  static void onReconnected(natsConnection* nc, void* self) {
    auto& connection = *static_cast<NatsConnection*>(self);
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    {
      std::lock_guard lock(connection.mutex_);
      connection.connected_ = true;
      connection.last_error_.clear();
      connection.refused_permanently_ = false;
      connection.metrics_.set(kConnectedGauge, 1);
      connection.logger_.log(sdk::LogLevel::Info, "nats sink reconnected to its server", {{"server", url}});
    }
    connection.changed_.notify_all();
  }

  // The last callback libnats makes for a connection; notified under the
  // lock, so the object may go as soon as the lock is released.
  static void onClosed(natsConnection* nc, void* self) {
    auto& connection = *static_cast<NatsConnection*>(self);
    std::lock_guard lock(connection.mutex_);
    connection.connected_ = false;
    connection.closed_.insert(nc);
    connection.changed_.notify_all();
  }

  // Errors the server sends outside a request: a refused identity while
  // reconnecting, a permissions violation for a subject (the message is
  // dropped; its PubAck times out).
  static void onAsyncError(natsConnection* nc, natsSubscription*, natsStatus status, void* self) {
    auto& connection = *static_cast<NatsConnection*>(self);
    const std::string why = connectionError(nc);
    {
      std::lock_guard lock(connection.mutex_);
      if (connection.stopping_) return;
      if (status == NATS_CONNECTION_AUTH_FAILED) {
        connection.last_error_ = "the server refused the credentials: " + why;
        connection.refused_permanently_ = true;
        connection.logger_.log(sdk::LogLevel::Error, "nats sink's server refused its credentials",
                               {{"servers", connection.where()}, {"error", why}});
      } else {
        connection.logger_.log(sdk::LogLevel::Warning, "nats sink got an error from its server",
                               {{"servers", connection.where()}, {"error", why}});
      }
    }
    connection.changed_.notify_all();
  }

  static void onPubAck(jsCtx*, natsMsg* msg, jsPubAck* ack, jsPubAckErr* error, void* self) {
    auto& connection = *static_cast<NatsConnection*>(self);
    sdk::Outcome outcome;
    if (ack == nullptr) {
      const char* subject = natsMsg_GetSubject(msg);
      if (error == nullptr) {
        outcome = sdk::Outcome::retryable("JetStream answered neither PubAck nor error");
      } else if (error->Err == NATS_TIMEOUT) {
        outcome = sdk::Outcome::retryable("no PubAck within timeout_ms (" +
                                          std::to_string(connection.publish_timeout_.count()) + " ms)");
      } else if (error->Err == NATS_NO_RESPONDERS) {
        outcome = sdk::Outcome::retryable(std::string("no JetStream stream takes the subject \"") + subject +
                                          "\" (no responders): create a stream whose subjects include it");
      } else if (error->ErrCode != 0) {
        outcome = jetStreamErrorOutcome(error->ErrCode, error->ErrText != nullptr ? error->ErrText : "");
      } else {
        outcome =
            sdk::Outcome::retryable(std::string("JetStream publish failed: ") +
                                    (error->ErrText != nullptr ? error->ErrText : natsStatus_GetText(error->Err)));
      }
    }
    {
      std::lock_guard lock(connection.mutex_);
      if (const auto it = connection.tickets_.find(msg); it != connection.tickets_.end()) {
        const auto pending = connection.pending_.find(it->second);
        if (pending != connection.pending_.end() && !pending->second) pending->second = std::move(outcome);
        connection.tickets_.erase(it);
      }
    }
    connection.changed_.notify_all();
    natsMsg_Destroy(msg);
  }

  static natsStatus signNonce(char** error_text, unsigned char** signature, int* length, const char* nonce,
                              void* self) {
    const auto& connection = *static_cast<NatsConnection*>(self);
    const natsStatus status = nats_Sign(connection.settings_.nkey_seed->c_str(), nonce, signature, length);
    if (status != NATS_OK) *error_text = strdup("cannot sign the server's nonce with nkey_seed");
    return status;
  }
};

void NatsConnection::OptionsDeleter::operator()(natsOptions* options) const {
  natsOptions_Destroy(options);
}

NatsConnection::NatsConnection(ConnectionSettings settings, std::chrono::milliseconds publish_timeout, sdk::Host& host)
    : settings_(std::move(settings)),
      publish_timeout_(publish_timeout),
      logger_(host.logger()),
      metrics_(host.metrics()) {
  metrics_.describe(kConnectedGauge, sdk::MetricType::Gauge, "1 while the sink's NATS connection is up, else 0");
  metrics_.set(kConnectedGauge, 0);
  natsOptions* raw = nullptr;
  if (natsOptions_Create(&raw) != NATS_OK) throw std::runtime_error("nats sink: cannot create libnats options");
  options_.reset(raw);
  const auto check = [](natsStatus status, std::string_view key) {
    if (status != NATS_OK) {
      throw std::invalid_argument("nats sink config \"" + std::string(key) + "\": " + describe(status));
    }
  };
  std::vector<const char*> servers;
  for (const auto& server : settings_.servers) servers.push_back(server.c_str());
  check(natsOptions_SetServers(raw, servers.data(), static_cast<int>(servers.size())), "url");
  check(natsOptions_SetName(raw, settings_.name.c_str()), "name");
  natsOptions_SetTimeout(raw, settings_.connect_timeout.count());
  natsOptions_SetPingInterval(raw, settings_.ping_interval.count());
  natsOptions_SetMaxPingsOut(raw, kMaxPingsOut);
  natsOptions_SetMaxReconnect(raw, -1);
  natsOptions_SetReconnectWait(raw, kReconnectWaitMs);
  natsOptions_SetReconnectJitter(raw, kReconnectJitterMs, kReconnectJitterMs);
  natsOptions_SetDisconnectedCB(raw, &Callbacks::onDisconnected, this);
  natsOptions_SetReconnectedCB(raw, &Callbacks::onReconnected, this);
  natsOptions_SetClosedCB(raw, &Callbacks::onClosed, this);
  natsOptions_SetErrorHandler(raw, &Callbacks::onAsyncError, this);
  if (!settings_.user.empty()) {
    natsOptions_SetUserInfo(raw, settings_.user.c_str(), settings_.password ? settings_.password->c_str() : nullptr);
  }
  if (settings_.token) natsOptions_SetToken(raw, settings_.token->c_str());
  if (!settings_.credentials_file.empty()) {
    check(natsOptions_SetUserCredentialsFromFiles(raw, settings_.credentials_file.c_str(), nullptr),
          "credentials_file");
  }
  if (!settings_.nkey.empty())
    check(natsOptions_SetNKey(raw, settings_.nkey.c_str(), &Callbacks::signNonce, this), "nkey");
  if (const auto& tls = settings_.tls) {
    check(natsOptions_SetSecure(raw, true), "tls");
    if (!tls->ca_file.empty()) check(natsOptions_LoadCATrustedCertificates(raw, tls->ca_file.c_str()), "tls.ca_file");
    if (!tls->cert_file.empty()) {
      check(natsOptions_LoadCertificatesChain(raw, tls->cert_file.c_str(), tls->key_file.c_str()), "tls.cert_file");
    }
    if (!tls->verify_peer) check(natsOptions_SkipServerVerification(raw, true), "tls.verify");
  }
  loop_ = std::thread(&NatsConnection::run, this);
}

NatsConnection::~NatsConnection() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  loop_.join();
}

std::string NatsConnection::where() const {
  std::string joined;
  for (const auto& server : settings_.servers) joined += (joined.empty() ? "" : ",") + server;
  return joined;
}

void NatsConnection::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    natsConnection* nc = connectOnce();
    if (nc == nullptr) {
      waitBeforeReconnect();
      continue;
    }
    jsOptions js_options;
    jsOptions_Init(&js_options);
    js_options.PublishAsync.AckHandler = &Callbacks::onPubAck;
    js_options.PublishAsync.AckHandlerClosure = this;
    jsCtx* js = nullptr;
    const natsStatus status = natsConnection_JetStream(&js, nc, &js_options);
    {
      std::unique_lock session_lock(session_mutex_);
      session_ = std::make_unique<Session>(Session{nc, js});
    }
    char url[256] = "";
    natsConnection_GetConnectedUrl(nc, url, sizeof url);
    {
      std::lock_guard lock(mutex_);
      if (status == NATS_OK) {
        // libnats may have lost the connection already; onReconnected says when it is back.
        connected_ = natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED;
        last_error_.clear();
        refused_permanently_ = false;
        backoff_ = {};
        metrics_.set(kConnectedGauge, connected_ ? 1 : 0);
        logger_.log(sdk::LogLevel::Info, "nats sink connected to its server", {{"server", url}});
      } else {
        last_error_ = "cannot create a JetStream context: " + describe(status);
      }
    }
    changed_.notify_all();
    {
      std::unique_lock lock(mutex_);
      // Until libnats gives the connection up; without a JetStream context,
      // start over after the backoff.
      changed_.wait(lock, [&] { return stopping_ || status != NATS_OK || closed_.contains(nc); });
    }
    std::unique_ptr<Session> session;
    {
      std::unique_lock session_lock(session_mutex_);
      session = std::move(session_);
    }
    closeSession(std::move(session));
    waitBeforeReconnect();
  }
}

natsConnection* NatsConnection::connectOnce() {
  natsConnection* nc = nullptr;
  const natsStatus status = natsConnection_Connect(&nc, options_.get());
  if (status == NATS_OK) return nc;
  const std::string error = "cannot connect: " + describe(status);
  std::lock_guard lock(mutex_);
  if (error != last_error_) {
    logger_.log(status == NATS_CONNECTION_AUTH_FAILED ? sdk::LogLevel::Error : sdk::LogLevel::Warning,
                "nats sink cannot connect to its server", {{"servers", where()}, {"error", error}});
  }
  last_error_ = error;
  // An identity the server refused stays refused; waiting does not help.
  refused_permanently_ = status == NATS_CONNECTION_AUTH_FAILED;
  changed_.notify_all();
  return nullptr;
}

void NatsConnection::waitBeforeReconnect() {
  std::unique_lock lock(mutex_);
  backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(kFirstBackoff)
                                   : std::min<std::chrono::milliseconds>(backoff_ * 2, kMaxBackoff);
  changed_.wait_for(lock, backoff_, [this] { return stopping_; });
}

void NatsConnection::closeSession(std::unique_ptr<Session> session) {
  if (!session) return;
  if (session->js != nullptr) {
    // Messages libnats still holds get no callback once taken back.
    natsMsgList left;
    if (js_PublishAsyncGetPendingList(&left, session->js) == NATS_OK) {
      {
        std::lock_guard lock(mutex_);
        for (int i = 0; i < left.Count; ++i) {
          const auto it = tickets_.find(left.Msgs[i]);
          if (it == tickets_.end()) continue;
          const auto pending = pending_.find(it->second);
          if (pending != pending_.end() && !pending->second) {
            pending->second = sdk::Outcome::retryable("connection to " + where() + " closed before the PubAck");
          }
          tickets_.erase(it);
        }
      }
      changed_.notify_all();
      natsMsgList_Destroy(&left);
    }
    // Returns once no PubAck callback is running.
    jsPubOptions wait;
    jsPubOptions_Init(&wait);
    wait.MaxWait = kDrainWaitMs;
    js_PublishAsyncComplete(session->js, &wait);
  }
  natsConnection_Close(session->nc);
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kCloseWait, [&] { return closed_.contains(session->nc); });
    closed_.erase(session->nc);
    connected_ = false;
    if (!stopping_) metrics_.set(kConnectedGauge, 0);
  }
  jsCtx_Destroy(session->js);
  natsConnection_Destroy(session->nc);
}

std::variant<NatsConnection::Ticket, sdk::Outcome> NatsConnection::publish(const NatsMessage& message,
                                                                           const std::string& msg_id,
                                                                           const std::string& expected_stream) {
  {
    std::unique_lock lock(mutex_);
    // After a refusal of our credentials waiting is pointless: every event of
    // the batch would wait connect_timeout in turn.
    changed_.wait_for(lock, settings_.connect_timeout,
                      [this] { return connected_ || stopping_ || refused_permanently_; });
    if (!connected_) {
      std::string why = "not connected to the NATS server at " + where() + ": " +
                        (last_error_.empty() ? std::string("still connecting") : last_error_);
      return refused_permanently_ ? sdk::Outcome::permanent(std::move(why)) : sdk::Outcome::retryable(std::move(why));
    }
  }
  if (message.payload.size() > static_cast<std::size_t>(INT_MAX)) {
    return sdk::Outcome::permanent("message of " + std::to_string(message.payload.size()) + " bytes is too large");
  }
  natsMsg* msg = nullptr;
  natsStatus status = natsMsg_Create(&msg, message.subject.c_str(), nullptr, message.payload.data(),
                                     static_cast<int>(message.payload.size()));
  for (const auto& [name, value] : message.headers) {
    if (status == NATS_OK) status = natsMsgHeader_Add(msg, name.c_str(), value.c_str());
  }
  if (status != NATS_OK) {
    natsMsg_Destroy(msg);
    return sdk::Outcome::permanent("cannot make a NATS message of event " + msg_id + ": " + describe(status));
  }
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MsgId = msg_id.c_str();
  options.ExpectStream = expected_stream.empty() ? nullptr : expected_stream.c_str();
  options.MaxWait = publish_timeout_.count();

  // Registered first: the PubAck may come before js_PublishMsgAsync returns.
  natsMsg* const key = msg;
  Ticket ticket = 0;
  {
    std::lock_guard lock(mutex_);
    ticket = next_ticket_++;
    pending_.emplace(ticket, std::nullopt);
    tickets_.emplace(key, ticket);
  }
  std::int64_t max_payload = 0;
  std::string detail = "the connection is being replaced";
  {
    std::shared_lock session_lock(session_mutex_);
    if (!session_ || session_->js == nullptr) {
      status = NATS_CONNECTION_CLOSED;
    } else {
      status = js_PublishMsgAsync(session_->js, &msg, &options);
      if (status == NATS_MAX_PAYLOAD) max_payload = natsConnection_GetMaxPayload(session_->nc);
      if (status != NATS_OK) detail = describe(status);
    }
  }
  if (status == NATS_OK) return ticket;  // libnats owns the message now
  const int bytes = natsMsg_GetDataLength(msg);
  {
    std::lock_guard lock(mutex_);
    pending_.erase(ticket);
    tickets_.erase(key);
  }
  natsMsg_Destroy(msg);
  if (status == NATS_MAX_PAYLOAD) {
    return sdk::Outcome::permanent("message of " + std::to_string(bytes) + " payload bytes and its headers is over " +
                                   "the server's max_payload (" + std::to_string(max_payload) + " bytes)");
  }
  if (status == NATS_INVALID_ARG || status == NATS_INVALID_SUBJECT) {
    return sdk::Outcome::permanent("cannot publish event " + msg_id + ": " + detail);
  }
  return sdk::Outcome::retryable("cannot publish to the NATS server at " + where() + ": " + detail);
}

std::vector<std::pair<NatsConnection::Ticket, sdk::Outcome>> NatsConnection::awaitAny(
    std::span<const Ticket> tickets, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  const auto any_settled = [&] {
    return stopping_ || std::ranges::any_of(tickets, [&](Ticket ticket) {
             const auto it = pending_.find(ticket);
             return it == pending_.end() || it->second.has_value();
           });
  };
  changed_.wait_until(lock, deadline, any_settled);
  std::vector<std::pair<Ticket, sdk::Outcome>> settled;
  for (const Ticket ticket : tickets) {
    const auto it = pending_.find(ticket);
    if (it == pending_.end()) {
      settled.emplace_back(ticket, sdk::Outcome::retryable("publish " + std::to_string(ticket) + " is not tracked"));
    } else if (it->second) {
      settled.emplace_back(ticket, std::move(*it->second));
      pending_.erase(it);
    }
  }
  return settled;
}

void NatsConnection::abandon(std::span<const Ticket> tickets) {
  std::lock_guard lock(mutex_);
  for (const Ticket ticket : tickets) pending_.erase(ticket);
}

}  // namespace ccm::sinks::nats
