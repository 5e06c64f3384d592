#include "kafka_producer.hpp"

#include <librdkafka/rdkafka.h>
#include <syslog.h>

#include <stdexcept>

namespace ccm::sinks::kafka {
namespace {

// How long one poll of the report thread blocks; also how soon it notices a
// fatal error or the object's end.
constexpr int kPollMilliseconds = 100;

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
};

}  // namespace

void KafkaProducer::HandleDeleter::operator()(rd_kafka_t* handle) const {
  // Reports for what is still queued or in flight arrive during the purge;
  // the callbacks ignore messages no one awaits.
  rd_kafka_purge(handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(handle, 0);
  rd_kafka_destroy(handle);
}

KafkaProducer::KafkaProducer(ProducerSettings settings, sdk::Host& host)
    : settings_(std::move(settings)), logger_(host.logger()), handle_(create()) {
  reporter_ = std::thread([this] { run(); });
}

KafkaProducer::~KafkaProducer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  reporter_.join();
  // Before the members the callbacks use go.
  handle_.reset();
}

KafkaProducer::Handle KafkaProducer::create() {
  std::unique_ptr<rd_kafka_conf_t, ConfDeleter> conf(rd_kafka_conf_new());
  char reason[512];
  for (const auto& [name, value] : settings_.properties) {
    if (rd_kafka_conf_set(conf.get(), name.c_str(), value.c_str(), reason, sizeof reason) != RD_KAFKA_CONF_OK) {
      throw std::invalid_argument("kafka sink config: librdkafka refused property " + name + ": " + reason);
    }
  }
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &KafkaProducer::onDelivery);
  rd_kafka_conf_set_error_cb(conf.get(), &KafkaProducer::onError);
  rd_kafka_conf_set_log_cb(conf.get(), &KafkaProducer::onLog);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), reason, sizeof reason);
  if (handle == nullptr)
    throw std::invalid_argument(std::string("kafka sink config: librdkafka refused it: ") + reason);
  conf.release();  // rd_kafka_new owns it now
  return Handle(handle);
}

std::variant<KafkaProducer::MessageId, sdk::Outcome> KafkaProducer::produce(const KafkaMessage& message) {
  MessageId id;
  {
    std::lock_guard lock(mutex_);
    // librdkafka would fail it at once; the report thread is replacing the producer.
    if (fatal_)
      return sdk::Outcome::retryable("the idempotent producer had a fatal error; the sink is making a new one");
    id = next_id_++;
    // Before producing: the report can come before rd_kafka_produceva returns.
    pending_.emplace(id, std::nullopt);
  }
  std::vector<rd_kafka_vu_t> values;
  values.reserve(5 + message.headers.size());
  const auto add = [&values](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
    values.push_back(rd_kafka_vu_t{});
    values.back().vtype = type;
    return values.back();
  };
  add(RD_KAFKA_VTYPE_TOPIC).u.cstr = message.topic.c_str();
  add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
  add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(id));
  if (message.key) {
    auto& key = add(RD_KAFKA_VTYPE_KEY).u.mem;
    key.ptr = const_cast<char*>(message.key->data());
    key.size = message.key->size();
  }
  if (message.value) {
    auto& value = add(RD_KAFKA_VTYPE_VALUE).u.mem;
    value.ptr = const_cast<char*>(message.value->data());
    value.size = message.value->size();
  }
  for (const auto& [name, text] : message.headers) {
    auto& header = add(RD_KAFKA_VTYPE_HEADER).u.header;
    header.name = name.c_str();
    header.val = text.data();
    header.size = static_cast<ssize_t>(text.size());
  }

  rd_kafka_error_t* error;
  {
    std::shared_lock handle_lock(handle_mutex_);
    error = rd_kafka_produceva(handle_.get(), values.data(), values.size());
  }
  if (error == nullptr) return id;
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  rd_kafka_error_destroy(error);
  std::lock_guard lock(mutex_);
  pending_.erase(id);
  if (code == RD_KAFKA_RESP_ERR__FATAL) fatal_ = true;
  return deliveryOutcome(code, last_error_);
}

std::vector<std::pair<KafkaProducer::MessageId, sdk::Outcome>> KafkaProducer::awaitAny(
    std::span<const MessageId> ids, std::chrono::steady_clock::time_point deadline) {
  std::vector<std::pair<MessageId, sdk::Outcome>> out;
  std::unique_lock lock(mutex_);
  const auto collect = [&] {
    for (const MessageId id : ids) {
      const auto it = pending_.find(id);
      if (it == pending_.end() || !it->second) continue;
      out.emplace_back(id, std::move(*it->second));
      pending_.erase(it);
    }
    return !out.empty();
  };
  reported_.wait_until(lock, deadline, collect);
  return out;
}

void KafkaProducer::abandon(std::span<const MessageId> ids) {
  std::lock_guard lock(mutex_);
  for (const MessageId id : ids) pending_.erase(id);
}

void KafkaProducer::run() {
  for (;;) {
    bool fatal;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      fatal = fatal_;
    }
    if (fatal) replaceAfterFatalError();
    rd_kafka_poll(handle_.get(), kPollMilliseconds);
  }
}

void KafkaProducer::replaceAfterFatalError() {
  char reason[512] = "";
  const rd_kafka_resp_err_t code = rd_kafka_fatal_error(handle_.get(), reason, sizeof reason);
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) {
    // A produce() raced the last replacement and reached the old producer:
    // this one is healthy, and what it holds must not be purged.
    std::lock_guard lock(mutex_);
    fatal_ = false;
    return;
  }
  const std::string why = "the idempotent producer had a fatal error: " + describeError(code) + ": " + reason +
                          "; the sink made a new producer";
  logger_.log(sdk::LogLevel::Error, why, {{"bootstrap_servers", settings_.where}});
  Handle replacement;
  try {
    replacement = create();
  } catch (const std::exception& e) {
    logger_.log(sdk::LogLevel::Error, std::string("cannot make a new Kafka producer: ") + e.what());
    return;  // fatal_ stays set: tried again after the next poll
  }
  {
    std::lock_guard lock(mutex_);
    // What the old producer still holds is not delivered by it; the sink's
    // retry goes through the new one.
    for (auto& [id, outcome] : pending_) {
      if (!outcome) outcome = sdk::Outcome::retryable(why);
    }
    fatal_ = false;
  }
  reported_.notify_all();
  Handle old;
  {
    std::unique_lock handle_lock(handle_mutex_);
    old = std::exchange(handle_, std::move(replacement));
  }
}

void KafkaProducer::onDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* self) {
  auto& producer = *static_cast<KafkaProducer*>(self);
  const auto id = static_cast<MessageId>(reinterpret_cast<std::uintptr_t>(message->_private));
  {
    std::lock_guard lock(producer.mutex_);
    const auto it = producer.pending_.find(id);
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) producer.last_error_.clear();
    if (it == producer.pending_.end() || it->second) return;
    it->second = deliveryOutcome(message->err, producer.last_error_);
  }
  producer.reported_.notify_all();
}

void KafkaProducer::onError(rd_kafka_t*, int error, const char* reason, void* self) {
  auto& producer = *static_cast<KafkaProducer*>(self);
  {
    std::lock_guard lock(producer.mutex_);
    producer.last_error_ = reason;
    if (error == RD_KAFKA_RESP_ERR__FATAL) producer.fatal_ = true;
  }
  producer.logger_.log(sdk::LogLevel::Warning, std::string("Kafka client error: ") + reason,
                       {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(error))}});
}

void KafkaProducer::onLog(const rd_kafka_t* handle, int level, const char* facility, const char* text) {
  // librdkafka's notices and debug output stay out of the gateway's log.
  if (level > LOG_WARNING) return;
  auto& producer = *static_cast<KafkaProducer*>(rd_kafka_opaque(handle));
  producer.logger_.log(level == LOG_WARNING ? sdk::LogLevel::Warning : sdk::LogLevel::Error,
                       std::string("librdkafka: ") + text, {{"facility", facility}});
}

}  // namespace ccm::sinks::kafka
