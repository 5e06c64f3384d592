#include "domain/time.hpp"

#include <cstdio>
#include <ctime>

namespace ccm::core {

std::string formatUtc(std::chrono::system_clock::time_point time) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buffer, static_cast<int>(millis < 0 ? millis + 1000 : millis));
  return out;
}

std::string utcNow() { return formatUtc(std::chrono::system_clock::now()); }

}  // namespace ccm::core
