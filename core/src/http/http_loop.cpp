#include "http/http_loop.hpp"

#include <vector>

#include <boost/asio/post.hpp>
#include <Poco/Logger.h>

#include "observability/json_log.hpp"
#include "observability/thread_name.hpp"

namespace ccm::core {
namespace {

using namespace std::chrono_literals;

// How often timeouts are checked: per loop, not a timer per connection.
constexpr auto kTick = 250ms;

}  // namespace

HttpLoop::HttpLoop(std::shared_ptr<const HttpServerSettings> settings)
    : settings_(std::move(settings)),
      work_(boost::asio::make_work_guard(context_)),
      tick_timer_(context_),
      deadline_timer_(context_) {}

HttpLoop::~HttpLoop() {
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) thread_.detach();  // its last connection let go of it
  else thread_.join();
}

void HttpLoop::start() {
  tick();
  thread_ = std::thread([this] { run(); });
}

void HttpLoop::run() {
  nameCurrentThread("ccm-http");
  while (true) {
    try {
      context_.run();
      break;
    } catch (const std::exception& e) {  // a handler's bug must not end the loop for every connection on it
      logWithFields(Poco::Logger::get("ccm.http"), sdk::LogLevel::Error, "HTTP loop handler failed",
                    {{"error", e.what()}});
    }
  }
  {
    std::lock_guard lock(post_mutex_);
    ended_ = true;
  }
  // Whatever was posted before the end runs now, against closed connections,
  // so that nothing waits in the context holding a connection (and the loop).
  for (auto& [raw, connection] : std::unordered_map(connections_)) connection->close();
  context_.restart();
  context_.poll();
}

bool HttpLoop::post(std::function<void()> work) {
  std::lock_guard lock(post_mutex_);
  if (ended_) return false;
  boost::asio::post(context_, std::move(work));
  return true;
}

void HttpLoop::requestStop(HttpClock::time_point deadline) {
  post([this, deadline] { beginStop(deadline); });
}

std::size_t HttpLoop::join() {
  if (thread_.joinable()) thread_.join();
  return unanswered_;
}

void HttpLoop::add(std::shared_ptr<HttpConnection> connection) {
  auto* raw = connection.get();
  connections_.emplace(raw, std::move(connection));
  raw->start();
}

void HttpLoop::remove(HttpConnection* connection) {
  // The caller (a handler of that connection) holds its own reference.
  connections_.erase(connection);
  settings_->open_connections->fetch_sub(1);
  if (stopping_ && connections_.empty()) {
    tick_timer_.cancel();
    deadline_timer_.cancel();
  }
}

void HttpLoop::tick() {
  tick_timer_.expires_after(kTick);
  tick_timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    const auto now = HttpClock::now();
    std::vector<std::shared_ptr<HttpConnection>> all;
    all.reserve(connections_.size());
    for (auto& [raw, connection] : connections_) all.push_back(connection);
    for (auto& connection : all) connection->checkTimeout(now);
    if (!stopping_ || !connections_.empty()) tick();
  });
}

void HttpLoop::beginStop(HttpClock::time_point deadline) {
  stopping_ = true;
  work_.reset();
  std::vector<std::shared_ptr<HttpConnection>> all;
  for (auto& [raw, connection] : connections_) all.push_back(connection);
  for (auto& connection : all) connection->closeIfIdle();
  if (connections_.empty()) {
    tick_timer_.cancel();
    return;
  }
  deadline_timer_.expires_at(deadline);
  deadline_timer_.async_wait([this](const boost::system::error_code& error) {
    if (!error) cutOff();
  });
}

void HttpLoop::cutOff() {
  std::vector<std::shared_ptr<HttpConnection>> all;
  for (auto& [raw, connection] : connections_) {
    if (connection->requestInHand()) ++unanswered_;
    all.push_back(connection);
  }
  for (auto& connection : all) connection->close();
}

}  // namespace ccm::core
