#pragma once

#include <string>
#include <string_view>

#include <Poco/Formatter.h>
#include <Poco/Logger.h>

#include "ccm/sdk/host.hpp"

namespace ccm::core {

// Formats each Poco log message as one JSON object on one line:
// {"time":"...","level":"info","logger":"ccm.app","message":"...",<fields>}.
class JsonLogFormatter : public Poco::Formatter {
public:
  void format(const Poco::Message& message, std::string& text) override;
};

// Logs `text` with structured fields (carried to the formatter in a message
// parameter, since Poco 1.11's Message cannot enumerate its parameters).
void logWithFields(Poco::Logger& logger, sdk::LogLevel level, std::string_view text, const sdk::LogFields& fields = {});

// Routes the root logger to stderr as JSON lines at `level` ("debug" ...).
void configureJsonLogging(const std::string& level);

Poco::Message::Priority toPocoPriority(sdk::LogLevel level);

}  // namespace ccm::core
