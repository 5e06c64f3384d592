#include "api/server_sent_events.hpp"

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

TEST(ServerSentEvents, AnEventIsItsIdTypeAndOneDataLineThenABlankLine) {
  EXPECT_EQ(sseEvent(42, "ccm.worker.running", R"({"id":"e-1"})"),
            "id: 42\nevent: ccm.worker.running\ndata: {\"id\":\"e-1\"}\n\n");
}

TEST(ServerSentEvents, EachLineOfTheDataBecomesADataLine) {
  EXPECT_EQ(sseEvent(1, "t", "a\nb\r\nc\rd"), "id: 1\nevent: t\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(ServerSentEvents, ATypeCannotStartAnotherField) {
  EXPECT_EQ(sseEvent(1, "t\ndata: forged", "x"), "id: 1\nevent: t data: forged\ndata: x\n\n");
}

TEST(ServerSentEvents, ACommentIsAColonLineThatDispatchesNothing) {
  EXPECT_EQ(sseComment("heartbeat"), ": heartbeat\n\n");
  EXPECT_EQ(sseComment("a\nb"), ": a b\n\n");
}

}  // namespace
}  // namespace ccm::core
