#include "http/http_stream.hpp"

#include "http/http_loop.hpp"

namespace ccm::core {

HttpStream::HttpStream(std::shared_ptr<HttpConnection> connection, std::shared_ptr<HttpStreamState> state)
    : connection_(std::move(connection)), state_(std::move(state)) {}

bool HttpStream::write(std::string bytes) {
  if (state_->closed.load()) return false;
  const auto size = bytes.size();
  // Into an empty buffer anything goes (one event may be larger than the
  // limit); on top of bytes still waiting, the limit holds.
  if (const auto waiting = state_->pending.fetch_add(size); waiting > 0 && waiting + size > state_->max_pending) {
    state_->too_slow = true;
    state_->closed = true;
    connection_->loop().post([connection = connection_] { connection->close(); });
    return false;
  }
  const bool posted = connection_->loop().post(
      [connection = connection_, bytes = std::move(bytes)]() mutable { connection->streamWrite(std::move(bytes)); });
  if (!posted) state_->closed = true;  // the loop has ended: the server stopped
  return posted;
}

void HttpStream::end() {
  if (state_->closed.exchange(true)) return;
  connection_->loop().post([connection = connection_] { connection->streamEnd(); });
}

}  // namespace ccm::core
