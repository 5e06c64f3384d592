#include "http/http_loop.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace ccm::core {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<HttpLoop> startedLoop() {
  auto settings = std::make_shared<HttpServerSettings>(HttpServerSettings{
      {}, [](std::string_view, std::string_view) { return BodyLimit{}; }, [](HttpRequest, HttpResponder) {},
      std::make_shared<std::atomic<std::size_t>>(0)});
  auto loop = std::make_shared<HttpLoop>(settings);
  loop->start();
  return loop;
}

// Work posted from other threads (each group commit's answers, say) runs on
// the loop's thread in the order posted.
TEST(HttpLoopTest, PostedWorkRunsInOrderOnTheLoopThread) {
  auto loop = startedLoop();
  std::vector<int> ran;
  std::vector<std::thread::id> threads;
  std::promise<void> done;
  constexpr int kPosts = 1000;
  for (int i = 0; i < kPosts; ++i) {
    ASSERT_TRUE(loop->post([&, i] {
      ran.push_back(i);
      threads.push_back(std::this_thread::get_id());
      if (i == kPosts - 1) done.set_value();
    }));
  }
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  loop->requestStop(HttpClock::now());
  loop->join();
  ASSERT_EQ(ran.size(), std::size_t{kPosts});
  for (int i = 0; i < kPosts; ++i) ASSERT_EQ(ran[i], i);
  for (const auto& id : threads) {
    EXPECT_NE(id, std::this_thread::get_id());
    EXPECT_EQ(id, threads.front());
  }
}

// A handler's bug is logged and the loop goes on with the next.
TEST(HttpLoopTest, WorkThatThrowsDoesNotStopTheWorkPostedAfterIt) {
  auto loop = startedLoop();
  std::vector<int> ran;
  std::promise<void> done;
  loop->post([&] { ran.push_back(1); });
  loop->post([] { throw std::runtime_error("a handler's bug"); });
  loop->post([&] { ran.push_back(3); });
  loop->post([&] { done.set_value(); });
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  loop->requestStop(HttpClock::now());
  loop->join();
  EXPECT_EQ(ran, (std::vector<int>{1, 3}));
}

TEST(HttpLoopTest, NothingIsTakenOnceTheLoopHasEnded) {
  auto loop = startedLoop();
  loop->requestStop(HttpClock::now());
  loop->join();
  bool ran = false;
  EXPECT_FALSE(loop->post([&] { ran = true; }));
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace ccm::core
