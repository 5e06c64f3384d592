#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Data/SessionPool.h>

#include <chrono>
#include <functional>
#include <memory>
#include <semaphore>

#include "store/dialect.hpp"

namespace ccm::core {

// Poco's SessionPool throws as soon as every connection is in use; this one
// makes callers wait (up to a deadline) for a connection to come back, and
// runs the dialect's setup statements, then `on_open`, on each new
// connection. Thread-safe.
class ConnectionPool {
public:
  // A connection on loan: destroying it hands the connection back.
  class Lease {
  public:
    Lease(std::counting_semaphore<>& slots, Poco::Data::Session session)
        : slots_(slots), session_(std::move(session)) {}
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Poco::Data::Session& session() { return session_; }

  private:
    std::counting_semaphore<>& slots_;
    Poco::Data::Session session_;
  };

  using OnOpen = std::function<void(Poco::Data::Session& session)>;
  ConnectionPool(const Dialect& dialect, int size, std::chrono::milliseconds wait, OnOpen on_open = {});

  // Throws StoreError when no connection is free within the wait, or when a
  // new connection cannot be opened.
  std::unique_ptr<Lease> acquire();
  // A connection if one is free now, else nullptr (background work that can
  // skip a round rather than hold up requests).
  std::unique_ptr<Lease> tryAcquire();

private:
  // Opens a connection into a slot already taken.
  std::unique_ptr<Lease> leaseSlot();

  class SetupSessionPool : public Poco::Data::SessionPool {
  public:
    SetupSessionPool(const Dialect& dialect, int size, OnOpen on_open);

  protected:
    void customizeSession(Poco::Data::Session& session) override;

  private:
    const Dialect& dialect_;
    OnOpen on_open_;
  };

  const Dialect& dialect_;
  std::chrono::milliseconds wait_;
  std::counting_semaphore<> slots_;
  SetupSessionPool pool_;
};

}  // namespace ccm::core
