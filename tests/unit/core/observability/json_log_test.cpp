#include "observability/json_log.hpp"

#include <Poco/Message.h>
#include <rapidjson/document.h>

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

TEST(JsonLogFormatter, WritesOneJsonObjectWithFields) {
  JsonLogFormatter formatter;
  Poco::Message message("ccm.test", "hello \"world\"\nnext", Poco::Message::PRIO_WARNING);
  message.set("ccm.fields", std::string("sink\0out\0error\0disk full\0", 25));
  std::string line;
  formatter.format(message, line);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  rapidjson::Document doc;
  doc.Parse(line.c_str());
  ASSERT_FALSE(doc.HasParseError()) << line;
  EXPECT_STREQ(doc["level"].GetString(), "warning");
  EXPECT_STREQ(doc["logger"].GetString(), "ccm.test");
  EXPECT_STREQ(doc["message"].GetString(), "hello \"world\"\nnext");
  EXPECT_STREQ(doc["sink"].GetString(), "out");
  EXPECT_STREQ(doc["error"].GetString(), "disk full");
  EXPECT_EQ(std::string(doc["time"].GetString()).back(), 'Z');
}

}  // namespace
}  // namespace ccm::core
