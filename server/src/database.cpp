// SQLite access for rewind-server: schema, statements, transactions.
#include "database.hpp"

#include <sqlite3.h>

#include <stdexcept>

#include <fmt/format.h>

namespace rwd::server::internal {

namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error(fmt::format("[rewind.server.db] {}: {}", what, db ? sqlite3_errmsg(db) : "no database"));
}

// Executions, their operation records, history events, timers, callback ids, the
// completions that wait for an invocation to end, and which execution each chained invoke
// started. Records and events are JSON.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS executions (
  arn TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  function_name TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  result TEXT,
  error TEXT,
  start_ms INTEGER NOT NULL,
  end_ms INTEGER,
  events INTEGER NOT NULL DEFAULT 0,
  needs_invocation INTEGER NOT NULL DEFAULT 0,
  failed_invocations INTEGER NOT NULL DEFAULT 0,
  running_request TEXT,
  running_start_ms INTEGER,
  UNIQUE (function_name, name));
CREATE INDEX IF NOT EXISTS executions_by_function ON executions (function_name, seq);
CREATE INDEX IF NOT EXISTS executions_by_seq ON executions (seq);  -- the /ui listing across functions
CREATE TABLE IF NOT EXISTS operations (
  arn TEXT NOT NULL, idx INTEGER NOT NULL, id TEXT NOT NULL, record TEXT NOT NULL,
  PRIMARY KEY (arn, idx));
CREATE TABLE IF NOT EXISTS history (
  arn TEXT NOT NULL, event_id INTEGER NOT NULL, event TEXT NOT NULL,
  PRIMARY KEY (arn, event_id));
CREATE TABLE IF NOT EXISTS timers (
  arn TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, at_ms INTEGER NOT NULL, op_id TEXT NOT NULL,
  PRIMARY KEY (arn, seq));
CREATE TABLE IF NOT EXISTS callbacks (
  callback_id TEXT PRIMARY KEY, arn TEXT NOT NULL, op_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pending_actions (
  arn TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, op_id TEXT NOT NULL, body TEXT,
  PRIMARY KEY (arn, seq));
CREATE TABLE IF NOT EXISTS chained_invokes (
  child_arn TEXT PRIMARY KEY, parent_arn TEXT NOT NULL, op_id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS chained_invokes_by_parent ON chained_invokes (parent_arn, op_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql";

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    fail(db, fmt::format("cannot prepare '{}'", sql));
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "cannot bind a value");
  return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "cannot bind a value");
  return *this;
}

Statement& Statement::bindNull(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "cannot bind a value");
  return *this;
}

Statement& Statement::bind(int index, const std::optional<std::string>& text) {
  return text ? bind(index, std::string_view(*text)) : bindNull(index);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "a statement failed");
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  if (!t) return {};
  return std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::optional<std::string> Statement::optionalText(int column) const {
  if (isNull(column)) return std::nullopt;
  return text(column);
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Statement::isNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

Database::Database(const std::string& path) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error(fmt::format("[rewind.server.db] cannot open '{}': {}", path, why));
  }
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA journal_mode=WAL");
  exec("PRAGMA synchronous=FULL");
  exec(kSchema);
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "unknown error";
    sqlite3_free(err);
    throw std::runtime_error(fmt::format("[rewind.server.db] '{}' failed: {}", text.substr(0, 60), why));
  }
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const std::exception&) {
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace rwd::server::internal
