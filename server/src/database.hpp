// Database: the server's SQLite file (WAL), with the few statement helpers the engine
// needs. Every mutation runs inside a Transaction; commit() returns only once SQLite has
// the change on disk (synchronous=FULL), so an acknowledged call survives a kill -9.
//
// Thread-safety: none; the engine serializes all access under its own mutex.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace rwd::server::internal {

// A prepared statement; bind() by 1-based position, step() until it returns false.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, const std::string& text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, const char* text) { return bind(index, std::string_view(text)); }
  Statement& bind(int index, std::int64_t value);
  Statement& bindNull(int index);
  Statement& bind(int index, const std::optional<std::string>& text);
  bool step();  // true: a row is ready
  void run();   // steps to the end
  std::string text(int column) const;
  std::optional<std::string> optionalText(int column) const;
  std::int64_t integer(int column) const;
  bool isNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  // Opens (creating when absent) `path`, switches it to WAL and creates the schema.
  // Throws std::runtime_error with [rewind.server.db] on failure.
  explicit Database(const std::string& path);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql) { return Statement(db_, sql); }
  sqlite3* handle() noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE .. COMMIT; rolled back when destroyed uncommitted.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace rwd::server::internal
