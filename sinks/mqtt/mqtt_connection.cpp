#include "mqtt_connection.hpp"

#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <stdexcept>

namespace ccm::sinks::mqtt {
namespace {

using namespace std::chrono_literals;

constexpr auto kFirstBackoff = 500ms;
constexpr auto kMaxBackoff = 30s;
constexpr int kLoopTimeoutMs = 100;
constexpr auto kDisconnectGrace = 1s;
constexpr std::string_view kConnectedGauge = "mqtt_sink_connected";
constexpr std::string_view kUnacknowledgedGauge = "mqtt_sink_unacknowledged_messages";

// mosquitto_lib_init is process-wide and not thread-safe; mosquitto_lib_cleanup
// is never called, since another sink may still be using the library.
void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

struct PropertiesDeleter {
  void operator()(mosquitto_property* properties) const { mosquitto_property_free_all(&properties); }
};
using Properties = std::unique_ptr<mosquitto_property, PropertiesDeleter>;

// CONNACK codes that name our identity or protocol, which waiting does not
// change: MQTT 5 section 3.2.2.2, and 3.1.1's return codes 1, 2, 4 and 5.
bool refusesIdentity(ProtocolVersion version, int reason_code) {
  if (version == ProtocolVersion::V311) return reason_code != 3;
  constexpr std::array<int, 6> kCodes = {MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION,
                                         MQTT_RC_CLIENTID_NOT_VALID,
                                         MQTT_RC_BAD_USERNAME_OR_PASSWORD,
                                         MQTT_RC_NOT_AUTHORIZED,
                                         MQTT_RC_BANNED,
                                         MQTT_RC_BAD_AUTHENTICATION_METHOD};
  return std::ranges::find(kCodes, reason_code) != kCodes.end();
}

// libmosquitto's result codes are below 0x80, MQTT 5 reason codes from 0x80.
std::string describeResult(int code) {
  if (code >= MQTT_RC_UNSPECIFIED) return describeReasonCode(code);
  if (code == MOSQ_ERR_ERRNO) return std::strerror(errno);
  return mosquitto_strerror(code);
}

sdk::Outcome publishRefusal(int rc, std::size_t bytes) {
  switch (rc) {
    case MOSQ_ERR_NOMEM:
      return sdk::Outcome::retryable(std::string("cannot publish: ") + mosquitto_strerror(rc));
    case MOSQ_ERR_OVERSIZE_PACKET:
      return sdk::Outcome::permanent("message of " + std::to_string(bytes) +
                                     " payload bytes is over the broker's Maximum Packet Size");
    default:
      // MOSQ_ERR_PAYLOAD_SIZE, MOSQ_ERR_QOS_NOT_SUPPORTED (the broker's Maximum
      // QoS is 0), MOSQ_ERR_INVAL, MOSQ_ERR_MALFORMED_UTF8: sending again fails again.
      return sdk::Outcome::permanent(std::string("cannot publish: ") + mosquitto_strerror(rc));
  }
}

}  // namespace

void MqttConnection::ClientDeleter::operator()(mosquitto* client) const {
  mosquitto_destroy(client);
}

MqttConnection::MqttConnection(ConnectionSettings settings, sdk::Host& host)
    : settings_(std::move(settings)), logger_(host.logger()), metrics_(host.metrics()) {
  initLibrary();
  metrics_.describe(kConnectedGauge, sdk::MetricType::Gauge, "1 while the sink's MQTT connection is up, else 0");
  metrics_.set(kConnectedGauge, 0);
  metrics_.describe(kUnacknowledgedGauge, sdk::MetricType::Gauge,
                    "Messages published and not yet acknowledged by the broker's PUBACK");
  metrics_.set(kUnacknowledgedGauge, 0);
  client_.reset(mosquitto_new(settings_.client_id.c_str(), settings_.clean_start, this));
  if (!client_) throw std::runtime_error(std::string("mqtt sink: cannot create a client: ") + std::strerror(errno));
  mosquitto* client = client_.get();
  const bool v5 = settings_.version == ProtocolVersion::V5;
  mosquitto_int_option(client, MOSQ_OPT_PROTOCOL_VERSION, v5 ? MQTT_PROTOCOL_V5 : MQTT_PROTOCOL_V311);
  // Publishing threads queue packets; the loop thread writes them.
  mosquitto_threaded_set(client, true);
  if (!settings_.username.empty()) {
    mosquitto_username_pw_set(client, settings_.username.c_str(),
                              settings_.password ? settings_.password->c_str() : nullptr);
  }
  if (const auto& tls = settings_.tls) {
    const auto file = [](const std::string& path) { return path.empty() ? nullptr : path.c_str(); };
    // mosquitto_tls_set needs a CA file or folder even with
    // MOSQ_OPT_TLS_USE_OS_CERTS: the system's store is OpenSSL's default folder.
    const char* ca_dir = tls->ca_file.empty() ? X509_get_default_cert_dir() : nullptr;
    int rc = mosquitto_tls_set(client, file(tls->ca_file), ca_dir, file(tls->cert_file), file(tls->key_file), nullptr);
    if (rc == MOSQ_ERR_SUCCESS && !tls->verify_peer) {
      rc = mosquitto_tls_opts_set(client, 0 /* SSL_VERIFY_NONE */, nullptr, nullptr);
      if (rc == MOSQ_ERR_SUCCESS) rc = mosquitto_tls_insecure_set(client, true);
    }
    if (rc != MOSQ_ERR_SUCCESS) {
      throw std::invalid_argument(std::string("mqtt sink config \"tls\": ") + mosquitto_strerror(rc));
    }
  }
  mosquitto_connect_v5_callback_set(client, &MqttConnection::onConnect);
  mosquitto_disconnect_v5_callback_set(client, &MqttConnection::onDisconnect);
  mosquitto_publish_v5_callback_set(client, &MqttConnection::onPublish);
  loop_ = std::thread(&MqttConnection::run, this);
}

MqttConnection::~MqttConnection() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + kDisconnectGrace;
  }
  changed_.notify_all();
  mosquitto_disconnect(client_.get());
  loop_.join();
  mosquitto_connect_v5_callback_set(client_.get(), nullptr);
  mosquitto_disconnect_v5_callback_set(client_.get(), nullptr);
  mosquitto_publish_v5_callback_set(client_.get(), nullptr);
}

std::string MqttConnection::where() const {
  return settings_.host + ":" + std::to_string(settings_.port);
}

void MqttConnection::countUnacknowledged() {
  metrics_.set(kUnacknowledgedGauge, static_cast<double>(unacknowledged_.size()));
}

void MqttConnection::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (!connectOnce()) {
      waitBeforeReconnect();
      continue;
    }
    int rc = MOSQ_ERR_SUCCESS;
    while (rc == MOSQ_ERR_SUCCESS) {
      rc = mosquitto_loop(client_.get(), kLoopTimeoutMs, 1);
      std::lock_guard lock(mutex_);
      // After DISCONNECT is written the loop reports the closed connection;
      // a broker that never lets it go gets kDisconnectGrace.
      if (stopping_ && std::chrono::steady_clock::now() > stop_deadline_) return;
    }
    bool reported = false;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      reported = loss_reported_;
    }
    // libmosquitto calls on_disconnect before its loop returns the error;
    // reporting it again would read as a failed connect.
    if (!reported) lost(describeResult(rc));
    waitBeforeReconnect();
  }
}

bool MqttConnection::connectOnce() {
  // Asynchronous: the TCP connect and TLS handshake go on in the loop, which
  // looks at stopping_ every kLoopTimeoutMs. A blocking SSL_connect to a
  // server that never answers would hold the destructor for ever. Only the
  // name lookup still blocks.
  const int rc = mosquitto_connect_bind_async(client_.get(), settings_.host.c_str(), settings_.port,
                                              settings_.keepalive_seconds, nullptr);
  const std::string why = rc == MOSQ_ERR_SUCCESS ? "" : describeResult(rc);
  std::lock_guard lock(mutex_);
  refused_this_attempt_ = false;
  loss_reported_ = false;
  if (rc == MOSQ_ERR_SUCCESS) return true;
  cannotConnect(why);
  return false;
}

void MqttConnection::cannotConnect(const std::string& why) {
  std::string error = "cannot connect: " + why;
  if (error != last_error_) {
    logger_.log(sdk::LogLevel::Warning, "mqtt sink cannot connect to its broker",
                {{"broker", where()}, {"error", error}});
  }
  last_error_ = std::move(error);
  refused_permanently_ = false;
}

void MqttConnection::waitBeforeReconnect() {
  std::unique_lock lock(mutex_);
  backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(kFirstBackoff)
                                   : std::min<std::chrono::milliseconds>(backoff_ * 2, kMaxBackoff);
  changed_.wait_for(lock, backoff_, [this] { return stopping_; });
}

void MqttConnection::lost(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    const bool was_connected = connected_;
    connected_ = false;
    loss_reported_ = true;
    // A reload's new sink, with the same instance label, may be connected already.
    if (!stopping_) metrics_.set(kConnectedGauge, 0);
    if (was_connected) {
      last_error_ = "connection lost: " + why;
    } else if (!refused_this_attempt_) {  // a CONNACK refusal has said why already
      cannotConnect(why);
    }
    for (auto& [mid, outcome] : pending_) {
      // QoS 1 gives no way to know whether the broker took it: send it again.
      if (!outcome) outcome = sdk::Outcome::retryable("connection to " + where() + " lost before the PUBACK: " + why);
    }
    if (was_connected && !stopping_) {
      logger_.log(sdk::LogLevel::Warning, "mqtt sink lost its broker connection",
                  {{"broker", where()}, {"error", why}});
    }
  }
  changed_.notify_all();
}

std::variant<int, sdk::Outcome> MqttConnection::publish(const MqttMessage& message) {
  std::unique_lock lock(mutex_);
  // After a refusal of our identity waiting is pointless: every event of the
  // batch would wait connect_timeout in turn.
  changed_.wait_for(lock, settings_.connect_timeout,
                    [this] { return connected_ || stopping_ || refused_permanently_; });
  if (!connected_) {
    std::string why = "not connected to the MQTT broker at " + where() + ": " +
                      (last_error_.empty() ? std::string("still connecting") : last_error_);
    return refused_permanently_ ? sdk::Outcome::permanent(std::move(why)) : sdk::Outcome::retryable(std::move(why));
  }
  if (unacknowledged_.size() >= settings_.max_unacknowledged) {
    return sdk::Outcome::retryable(std::to_string(unacknowledged_.size()) +
                                   " messages await a PUBACK from the MQTT broker at " + where() +
                                   " (max_unacknowledged): it is not acknowledging");
  }
  mosquitto_property* list = nullptr;
  int rc = MOSQ_ERR_SUCCESS;
  if (settings_.version == ProtocolVersion::V5) {
    if (!message.content_type.empty()) {
      rc = mosquitto_property_add_string(&list, MQTT_PROP_CONTENT_TYPE, message.content_type.c_str());
    }
    for (const auto& [name, value] : message.user_properties) {
      if (rc != MOSQ_ERR_SUCCESS) break;
      rc = mosquitto_property_add_string_pair(&list, MQTT_PROP_USER_PROPERTY, name.c_str(), value.c_str());
    }
  }
  const Properties properties(list);
  if (rc != MOSQ_ERR_SUCCESS) {
    return sdk::Outcome::permanent(std::string("cannot carry the event's attributes as MQTT properties: ") +
                                   mosquitto_strerror(rc));
  }
  if (message.payload.size() > static_cast<std::size_t>(INT_MAX)) return publishRefusal(MOSQ_ERR_PAYLOAD_SIZE, 0);
  int mid = 0;
  // The lock is held until the id is recorded, so onPublish cannot see a
  // PUBACK for an id it does not know yet.
  rc = mosquitto_publish_v5(client_.get(), &mid, message.topic.c_str(), static_cast<int>(message.payload.size()),
                            message.payload.data(), 1, false, properties.get());
  if (rc == MOSQ_ERR_NO_CONN) {
    // libmosquitto saw the connection close before the loop thread told us.
    return sdk::Outcome::retryable("not connected to the MQTT broker at " + where() + ": " + mosquitto_strerror(rc));
  }
  if (rc != MOSQ_ERR_SUCCESS) return publishRefusal(rc, message.payload.size());
  // libmosquitto counts ids round modulo 65535 without skipping those in
  // use; max_unacknowledged keeps that from happening, and should it happen
  // the PUBACK could not be told apart, so this message is not awaited.
  if (!unacknowledged_.insert(mid).second) {
    return sdk::Outcome::retryable("message id " + std::to_string(mid) +
                                   " was given again while an earlier message with it awaits its PUBACK");
  }
  countUnacknowledged();
  pending_.emplace(mid, std::nullopt);
  return mid;
}

std::vector<std::pair<int, sdk::Outcome>> MqttConnection::awaitAny(std::span<const int> mids,
                                                                   std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  const auto any_settled = [&] {
    return stopping_ || std::ranges::any_of(mids, [&](int mid) {
             const auto it = pending_.find(mid);
             return it == pending_.end() || it->second.has_value();
           });
  };
  changed_.wait_until(lock, deadline, any_settled);
  std::vector<std::pair<int, sdk::Outcome>> settled;
  for (const int mid : mids) {
    const auto it = pending_.find(mid);
    if (it == pending_.end()) {
      settled.emplace_back(mid, sdk::Outcome::retryable("message id " + std::to_string(mid) + " is not tracked"));
    } else if (it->second) {
      settled.emplace_back(mid, std::move(*it->second));
      pending_.erase(it);
    }
  }
  return settled;
}

void MqttConnection::abandon(std::span<const int> mids) {
  std::lock_guard lock(mutex_);
  for (const int mid : mids) pending_.erase(mid);
}

void MqttConnection::onConnect(mosquitto*, void* self, int reason_code, int, const mqtt5__property*) {
  auto& connection = *static_cast<MqttConnection*>(self);
  {
    std::lock_guard lock(connection.mutex_);
    if (reason_code == 0) {
      connection.connected_ = true;
      connection.metrics_.set(kConnectedGauge, 1);
      connection.last_error_.clear();
      connection.refused_permanently_ = false;
      connection.backoff_ = {};
      connection.logger_.log(sdk::LogLevel::Info, "mqtt sink connected to its broker",
                             {{"broker", connection.where()}, {"client_id", connection.settings_.client_id}});
    } else {
      const bool v5 = connection.settings_.version == ProtocolVersion::V5;
      connection.last_error_ = "the broker refused the connection: " +
                               (v5 ? describeReasonCode(reason_code)
                                   : std::to_string(reason_code) + " (" + mosquitto_connack_string(reason_code) + ")");
      connection.refused_permanently_ = refusesIdentity(connection.settings_.version, reason_code);
      connection.refused_this_attempt_ = true;
      connection.logger_.log(sdk::LogLevel::Error, "mqtt sink's broker refused the connection",
                             {{"broker", connection.where()}, {"error", connection.last_error_}});
    }
  }
  connection.changed_.notify_all();
}

void MqttConnection::onDisconnect(mosquitto*, void* self, int reason_code, const mqtt5__property*) {
  auto& connection = *static_cast<MqttConnection*>(self);
  connection.lost(reason_code >= MQTT_RC_UNSPECIFIED ? "the broker sent DISCONNECT " + describeReasonCode(reason_code)
                                                     : describeResult(reason_code));
}

void MqttConnection::onPublish(mosquitto*, void* self, int mid, int reason_code, const mqtt5__property*) {
  auto& connection = *static_cast<MqttConnection*>(self);
  {
    std::lock_guard lock(connection.mutex_);
    connection.unacknowledged_.erase(mid);
    connection.countUnacknowledged();
    const auto it = connection.pending_.find(mid);
    // An id no longer pending timed out or its connection was lost: its
    // outcome (retryable) has been reported already.
    if (it == connection.pending_.end() || it->second) return;
    it->second = pubackOutcome(reason_code);
  }
  connection.changed_.notify_all();
}

}  // namespace ccm::sinks::mqtt
