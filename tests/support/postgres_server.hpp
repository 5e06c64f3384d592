#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

typedef struct pg_conn PGconn;

namespace ccm::testing {

// A real PostgreSQL server for tests: Debian's binaries, a fresh cluster in a
// temporary directory (on /dev/shm when it has room), copied from a template
// made once by initdb, trust authentication on 127.0.0.1 and a free port.
// Stopped and deleted when destroyed.
class PostgresServer {
public:
  enum class Status { Running, Unavailable, Failed };

  // One server per test executable, started on first use, stopped at exit.
  static PostgresServer& shared();

  // `crash_safe_commits`: a commit is on disk before the client hears of it
  // (synchronous_commit on), so it survives stop(). Without it (the shared
  // server) commits are faster and the last ones die with the server.
  explicit PostgresServer(bool crash_safe_commits = false);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // Unavailable: the binaries are not installed (tests skip). Failed: they are
  // but the server did not start (tests fail). message() says which and why.
  Status status() const { return status_; }
  const std::string& message() const { return message_; }

  // A libpq connection string for `database` on this server.
  std::string connectionString(const std::string& database = "postgres") const;

  // Creates an empty database with a fresh name and returns the name;
  // throws std::runtime_error on failure.
  std::string createDatabase();
  // Drops it, disconnecting anyone still connected.
  void dropDatabase(const std::string& name);

  // Stops the server at once, as a crash would (`pg_ctl -m immediate`), and
  // starts it again on the same port and data directory: what a client sees
  // when its database restarts. False, with message(), when it did not.
  bool stop();
  bool restart();

private:
  bool start();
  std::optional<std::filesystem::path> templateCluster();
  // pg_ctl start on port_; true once the server accepts connections.
  bool launch();
  // argv for a PostgreSQL tool, run as the postgres user when we are root.
  std::vector<std::string> command(const std::string& tool, const std::vector<std::string>& args) const;
  void execute(const std::string& sql);

  Status status_ = Status::Unavailable;
  std::string message_;
  std::filesystem::path bin_dir_;
  std::filesystem::path dir_;  // cluster, socket and log
  std::uint16_t port_ = 0;
  bool as_postgres_user_ = false;
  bool crash_safe_commits_ = false;
  bool started_ = false;
  std::mutex admin_mutex_;
  PGconn* admin_ = nullptr;
  int databases_created_ = 0;
};

}  // namespace ccm::testing
