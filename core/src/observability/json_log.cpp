#include "observability/json_log.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Message.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ccm::core {
namespace {

constexpr const char* kFieldsParam = "ccm.fields";

const char* levelName(Poco::Message::Priority priority) {
  switch (priority) {
    case Poco::Message::PRIO_FATAL:
    case Poco::Message::PRIO_CRITICAL:
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE:
    case Poco::Message::PRIO_INFORMATION: return "info";
    default: return "debug";
  }
}

// Fields travel as "key\0value\0key\0value\0" so no escaping is needed twice.
std::string packFields(const sdk::LogFields& fields) {
  std::string packed;
  for (const auto& [key, value] : fields) {
    packed += key;
    packed += '\0';
    packed += value;
    packed += '\0';
  }
  return packed;
}

}  // namespace

Poco::Message::Priority toPocoPriority(sdk::LogLevel level) {
  switch (level) {
    case sdk::LogLevel::Debug: return Poco::Message::PRIO_DEBUG;
    case sdk::LogLevel::Info: return Poco::Message::PRIO_INFORMATION;
    case sdk::LogLevel::Warning: return Poco::Message::PRIO_WARNING;
    case sdk::LogLevel::Error: return Poco::Message::PRIO_ERROR;
  }
  return Poco::Message::PRIO_INFORMATION;
}

void JsonLogFormatter::format(const Poco::Message& message, std::string& text) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("time");
  writer.String(Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ"));
  writer.Key("level");
  writer.String(levelName(message.getPriority()));
  writer.Key("logger");
  writer.String(message.getSource());
  writer.Key("message");
  writer.String(message.getText());
  if (message.has(kFieldsParam)) {
    const std::string& packed = message.get(kFieldsParam);
    std::size_t pos = 0;
    while (pos < packed.size()) {
      const std::size_t key_end = packed.find('\0', pos);
      const std::size_t value_end = key_end == std::string::npos ? key_end : packed.find('\0', key_end + 1);
      if (value_end == std::string::npos) break;
      writer.Key(packed.data() + pos, static_cast<rapidjson::SizeType>(key_end - pos));
      writer.String(packed.data() + key_end + 1, static_cast<rapidjson::SizeType>(value_end - key_end - 1));
      pos = value_end + 1;
    }
  }
  writer.EndObject();
  text.assign(buffer.GetString(), buffer.GetSize());
}

void logWithFields(Poco::Logger& logger, sdk::LogLevel level, std::string_view text, const sdk::LogFields& fields) {
  const auto priority = toPocoPriority(level);
  if (!logger.is(priority)) return;
  Poco::Message message(logger.name(), std::string(text), priority);
  if (!fields.empty()) message.set(kFieldsParam, packFields(fields));
  logger.log(message);
}

void configureJsonLogging(const std::string& level) {
  Poco::AutoPtr<Poco::ConsoleChannel> console(new Poco::ConsoleChannel);
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(new JsonLogFormatter, console));
  // Our level names are the config schema's; Poco calls "info" "information".
  const int priority = Poco::Logger::parseLevel(level == "info" ? "information" : level);
  // Loggers created before this call keep their old channel; reset them all.
  Poco::Logger::setChannel("", channel);
  Poco::Logger::setLevel("", priority);
}

}  // namespace ccm::core
