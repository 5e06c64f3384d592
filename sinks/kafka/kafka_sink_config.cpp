#include "kafka_sink_config.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "common/config_object.hpp"

namespace ccm::sinks::kafka {
namespace {

using common::ConfigObject;

// Extra properties that would undo what the sink promises: the idempotent
// producer with acks from every in-sync replica, one message timeout that
// the outcomes follow, per-partition order (a LIFO queue, a transaction),
// and settings that have their own config keys (where their secrets are
// secret references rather than plain text).
constexpr std::array<std::string_view, 19> kReservedProperties = {
    "enable.idempotence",
    "acks",
    "request.required.acks",
    "message.timeout.ms",
    "delivery.timeout.ms",
    "transactional.id",
    "queuing.strategy",
    "bootstrap.servers",
    "metadata.broker.list",
    "client.id",
    "security.protocol",
    "sasl.mechanism",
    "sasl.mechanisms",
    "sasl.username",
    "sasl.password",
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "enable.ssl.certificate.verification",
};

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};

void addTls(const ConfigObject& tls, sdk::Host& host, Properties& out) {
  tls.allowOnly({"ca_file", "cert_file", "key_file", "key_password", "verify"});
  const auto ca_file = tls.readableFile("ca_file");
  const auto cert_file = tls.readableFile("cert_file");
  const auto key_file = tls.readableFile("key_file");
  if (cert_file.has_value() != key_file.has_value()) {
    throw tls.error(cert_file ? "key_file" : "cert_file", "is required with \"" +
                                                              std::string(cert_file ? "cert_file" : "key_file") +
                                                              "\" (a client certificate needs its key)");
  }
  if (tls.has("key_password") && !key_file) throw tls.error("key_password", "needs \"key_file\"");
  const auto key_password = tls.secret("key_password", host);
  const bool verify = tls.boolean("verify").value_or(true);
  if (ca_file) out.emplace_back("ssl.ca.location", *ca_file);
  if (cert_file) out.emplace_back("ssl.certificate.location", *cert_file);
  if (key_file) out.emplace_back("ssl.key.location", *key_file);
  if (key_password) out.emplace_back("ssl.key.password", *key_password);
  out.emplace_back("enable.ssl.certificate.verification", verify ? "true" : "false");
  out.emplace_back("ssl.endpoint.identification.algorithm", verify ? "https" : "none");
}

void addSasl(const ConfigObject& sasl, sdk::Host& host, Properties& out) {
  sasl.allowOnly({"mechanism", "username", "password"});
  const auto mechanism = sasl.choice("mechanism", {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"});
  if (!mechanism) throw sasl.error("mechanism", "is required");
  const auto username = sasl.string("username");
  if (!username) throw sasl.error("username", "is required");
  const auto password = sasl.secret("password", host);
  if (!password) throw sasl.error("password", "is required");
  out.emplace_back("sasl.mechanism", *mechanism);
  out.emplace_back("sasl.username", *username);
  out.emplace_back("sasl.password", *password);
}

void addExtraProperties(const ConfigObject& properties, Properties& out) {
  for (const auto& name : properties.names()) {
    if (std::ranges::find(kReservedProperties, name) != kReservedProperties.end()) {
      throw properties.error(name, "is set by the sink (docs/sinks/kafka.md, \"properties\") and cannot be changed");
    }
    if (name.find("password") != std::string::npos || name.find("secret") != std::string::npos ||
        name.starts_with("ssl.key") || name.starts_with("ssl.keystore")) {
      throw properties.error(name,
                             "would put a secret in plain text into the config; use the sink's \"tls\" and "
                             "\"sasl\" keys, whose secrets are secret references");
    }
    const auto value = properties.string(name);
    const auto it = std::ranges::find(out, name, &Properties::value_type::first);
    if (it != out.end()) {
      it->second = *value;
    } else {
      out.emplace_back(name, *value);
    }
  }
}

// librdkafka checks names and values as they are set, and their consistency
// when the producer is made; here the first check names the key.
void checkWithLibrdkafka(const ConfigObject& config, const Properties& properties) {
  const std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  char reason[512];
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
      throw config.error("properties." + name, reason);
    }
  }
}

}  // namespace

KafkaSinkConfig parseConfig(const sdk::PluginContext& context) {
  const ConfigObject config("kafka", context.config_json);
  config.allowOnly(
      {"bootstrap_servers", "topic", "mode", "client_id", "tls", "sasl", "timeout_ms", "max_batch_size", "properties"});
  KafkaSinkConfig out;
  auto servers = config.string("bootstrap_servers");
  if (!servers) throw config.error("bootstrap_servers", "is required");
  out.producer.where = *servers;
  if (auto ms = config.integer("timeout_ms", 100, 3600000)) out.producer.timeout = std::chrono::milliseconds(*ms);

  Properties& properties = out.producer.properties;
  properties = {
      {"bootstrap.servers", *servers},
      {"client.id", config.string("client_id").value_or("ccm-gateway-" + context.instance_name)},
      // The idempotent producer: no duplicates from its own retries and
      // per-partition order across them; acks=all is part of it.
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"message.timeout.ms", std::to_string(out.producer.timeout.count())},
      // Java's partitioner, so a key lands where Java producers put it.
      {"partitioner", "murmur2_random"},
  };
  const auto tls = config.object("tls");
  const auto sasl = config.object("sasl");
  properties.emplace_back("security.protocol",
                          sasl ? (tls ? "sasl_ssl" : "sasl_plaintext") : (tls ? "ssl" : "plaintext"));
  if (tls) addTls(*tls, context.host, properties);
  if (sasl) addSasl(*sasl, context.host, properties);
  if (const auto extra = config.object("properties")) addExtraProperties(*extra, properties);
  checkWithLibrdkafka(config, properties);

  out.mode = config.choice("mode", {"binary", "structured"}).value_or("binary") == "binary" ? ContentMode::Binary
                                                                                            : ContentMode::Structured;
  if (const auto topic = config.string("topic")) {
    try {
      out.topic = TopicTemplate(*topic);
    } catch (const std::invalid_argument& e) {
      throw config.error("topic", e.what());
    }
  }
  if (auto size = config.integer("max_batch_size", 1, 100000)) out.max_batch_size = *size;
  return out;
}

}  // namespace ccm::sinks::kafka
