#include "postgres_server.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "child_process.hpp"

namespace ccm::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstallHint = "install Debian's postgresql package: packaging/install-deps.sh";

// The newest /usr/lib/postgresql/<version>/bin that has what we run.
std::optional<fs::path> findBinDir() {
  std::optional<fs::path> best;
  int best_version = -1;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", error)) {
    const auto bin = entry.path() / "bin";
    if (!fs::exists(bin / "initdb") || !fs::exists(bin / "pg_ctl") || !fs::exists(bin / "postgres")) continue;
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > best_version) {
      best_version = version;
      best = bin;
    }
  }
  return best;
}

std::optional<fs::path> findRunuser() {
  for (const char* candidate : {"/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"}) {
    if (fs::exists(candidate)) return fs::path(candidate);
  }
  return std::nullopt;
}

// Binds port 0 on loopback and releases it; the server takes it right after.
std::uint16_t freeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("cannot bind a loopback port");
  return ntohs(address.sin_port);
}

std::string readFile(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Test clusters are throwaway: on tmpfs when there is room (a cluster takes
// about 40 MB), their writes cost nothing and a copy takes milliseconds.
fs::path clusterParent() {
  struct statvfs shm {};
  if (statvfs("/dev/shm", &shm) == 0 && shm.f_bavail * shm.f_frsize >= (std::uint64_t{1} << 30)) return "/dev/shm";
  return fs::temp_directory_path();
}

}  // namespace

PostgresServer& PostgresServer::shared() {
  static PostgresServer server;
  return server;
}

PostgresServer::PostgresServer(bool crash_safe_commits) : crash_safe_commits_(crash_safe_commits) {
  const auto bin = findBinDir();
  if (!bin) {
    message_ = "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found under /usr/lib/postgresql/*/bin; " +
               std::string(kInstallHint);
    return;
  }
  bin_dir_ = *bin;
  // PostgreSQL refuses to run as root, so CI (root) runs it as the postgres user.
  as_postgres_user_ = geteuid() == 0;
  if (as_postgres_user_ && (!getpwnam("postgres") || !findRunuser())) {
    message_ = "running as root needs the 'postgres' system user and runuser; " + std::string(kInstallHint);
    return;
  }
  status_ = start() ? Status::Running : Status::Failed;
}

PostgresServer::~PostgresServer() {
  if (admin_) PQfinish(admin_);
  if (started_) runCommand(command("pg_ctl", {"-D", (dir_ / "data").string(), "-m", "fast", "-w", "stop"}));
  if (!dir_.empty()) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
}

std::vector<std::string> PostgresServer::command(const std::string& tool, const std::vector<std::string>& args) const {
  std::vector<std::string> argv;
  if (as_postgres_user_) argv = {findRunuser()->string(), "-u", "postgres", "--"};
  argv.push_back((bin_dir_ / tool).string());
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

bool PostgresServer::start() {
  std::string pattern = (clusterParent() / "ccm-postgres-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    message_ = "cannot create a temporary directory from " + pattern;
    return false;
  }
  dir_ = pattern;
  if (as_postgres_user_) {
    const passwd* user = getpwnam("postgres");
    if (chown(dir_.c_str(), user->pw_uid, user->pw_gid) != 0) {
      message_ = "cannot hand " + dir_.string() + " to the postgres user";
      return false;
    }
  }
  const auto data = (dir_ / "data").string();
  const auto cluster = templateCluster();
  if (!cluster) return false;
  const auto copy = runCommand({"/bin/cp", "-a", cluster->string(), data});
  if (copy.exit_code != 0) {
    message_ = "cannot copy the template cluster " + cluster->string() + ": " + copy.err;
    return false;
  }
  // A port picked this way can be taken by someone else before the server
  // binds it, so a failed start tries another one.
  for (int attempt = 0; attempt < 3 && !started_; ++attempt) {
    port_ = freeLoopbackPort();
    started_ = launch();
  }
  if (!started_) {
    message_ = "PostgreSQL did not start; server log:\n" + readFile(dir_ / "server.log");
    return false;
  }
  admin_ = PQconnectdb((connectionString() + " connect_timeout=10").c_str());
  if (PQstatus(admin_) != CONNECTION_OK) {
    message_ = "cannot connect to the test server: " + std::string(PQerrorMessage(admin_));
    return false;
  }
  return true;
}

// initdb takes about a second, most of a PostgreSQL test's time; each test
// executable copies one cluster made once per machine and server version.
std::optional<fs::path> PostgresServer::templateCluster() {
  const fs::path cluster = clusterParent() / ("ccm-test-postgres-" + bin_dir_.parent_path().filename().string() + "-" +
                                              std::to_string(geteuid()) + "-template");
  if (fs::exists(cluster / "PG_VERSION")) return cluster;
  // Made beside its final name and renamed into place, so executables starting
  // together never copy half a cluster.
  const fs::path building = cluster.string() + "." + std::to_string(getpid());
  const auto initdb = runCommand(command("initdb", {"-D", building.string(), "-A", "trust", "-U", "postgres", "-E",
                                                    "UTF8", "--locale=C", "--no-sync"}),
                                 {}, std::chrono::minutes(2));
  std::error_code error;
  if (initdb.exit_code != 0) {
    message_ = "initdb failed (exit " + std::to_string(initdb.exit_code) + "): " + initdb.err;
    fs::remove_all(building, error);
    return std::nullopt;
  }
  fs::rename(building, cluster, error);
  if (error) fs::remove_all(building, error);  // another executable was first
  return cluster;
}

bool PostgresServer::launch() {
  // Durability against a machine crash is pointless for a throwaway cluster,
  // and fsync dominates test time; a server crash is survived with synchronous
  // commits, as the WAL reaches the kernel before a commit returns.
  const std::string options =
      "-k '" + dir_.string() + "' -h 127.0.0.1 -p " + std::to_string(port_) +
      " -c fsync=off -c full_page_writes=off -c synchronous_commit=" + (crash_safe_commits_ ? "on" : "off");
  // -w waits, up to -t seconds, until the server accepts connections.
  const auto pg_ctl =
      runCommand(command("pg_ctl", {"-D", (dir_ / "data").string(), "-l", (dir_ / "server.log").string(), "-w", "-t",
                                    "60", "-o", options, "start"}),
                 {}, std::chrono::seconds(90));
  return pg_ctl.exit_code == 0;
}

bool PostgresServer::stop() {
  std::lock_guard lock(admin_mutex_);
  if (!started_) return true;
  const auto pg_ctl = runCommand(command("pg_ctl", {"-D", (dir_ / "data").string(), "-m", "immediate", "-w", "stop"}));
  if (pg_ctl.exit_code != 0) {
    message_ = "pg_ctl stop failed (exit " + std::to_string(pg_ctl.exit_code) + "): " + pg_ctl.err;
    return false;
  }
  started_ = false;
  return true;
}

bool PostgresServer::restart() {
  std::lock_guard lock(admin_mutex_);
  if (started_) return true;
  started_ = launch();
  if (!started_) {
    message_ = "PostgreSQL did not start again on port " + std::to_string(port_) + "; server log:\n" +
               readFile(dir_ / "server.log");
    return false;
  }
  // The admin connection died with the server.
  PQreset(admin_);
  return PQstatus(admin_) == CONNECTION_OK;
}

std::string PostgresServer::connectionString(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + database;
}

std::string PostgresServer::createDatabase() {
  std::lock_guard lock(admin_mutex_);
  const std::string name = "ccm_test_" + std::to_string(++databases_created_);
  execute("CREATE DATABASE " + name);
  return name;
}

void PostgresServer::dropDatabase(const std::string& name) {
  std::lock_guard lock(admin_mutex_);
  execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
}

void PostgresServer::execute(const std::string& sql) {
  if (status_ != Status::Running) throw std::runtime_error("PostgreSQL test server is not running: " + message_);
  PGresult* result = PQexec(admin_, sql.c_str());
  const bool ok = PQresultStatus(result) == PGRES_COMMAND_OK;
  PQclear(result);
  if (!ok) throw std::runtime_error(sql + ": " + PQerrorMessage(admin_));
}

}  // namespace ccm::testing
