// The records ExpectedLogs see: stdout lines merged with the execution's log sink, each
// record once, in the order written.
#include <gtest/gtest.h>

#include <iostream>

#include "log_records.hpp"

namespace rwd::conformance {
namespace {

std::vector<std::string> dump(const std::vector<Value>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.dump());
  return out;
}

TEST(LogRecordsTest, ARecordOnStdoutAndInTheSinkCountsOnce) {
  std::vector<Json> sink = {Json{{"hook", "onOperationStart"}, {"name", "a"}}};
  auto records = mergeLogRecords(sink, R"({"name":"a","hook":"onOperationStart"})"
                                       "\n");
  EXPECT_EQ(dump(records), (std::vector<std::string>{R"({"hook":"onOperationStart","name":"a"})"}));
}

TEST(LogRecordsTest, PlainLinesBecomeMessagesAndKeepTheirPlaceAmongSinkRecords) {
  // Sink: the logger's record L1 (also echoed on stdout), a sink-only record S, and L2.
  std::vector<Json> sink = {Json{{"message", "L1"}, {"level", "INFO"}}, Json{{"message", "S"}},
                            Json{{"message", "L2"}, {"level", "INFO"}}};
  std::string printed =
      "{\"message\":\"L1\",\"level\":\"INFO\"}\n"
      "probe: between\n"
      "{\"probe\":1}\n"
      "{\"message\":\"L2\",\"level\":\"INFO\"}\n"
      "\n"
      "tail without newline";
  auto records = mergeLogRecords(sink, printed);
  EXPECT_EQ(dump(records),
            (std::vector<std::string>{R"({"level":"INFO","message":"L1"})", R"({"message":"probe: between"})",
                                      R"({"probe":1})", R"({"message":"S"})", R"({"level":"INFO","message":"L2"})",
                                      R"({"message":"tail without newline"})"}));
}

TEST(LogRecordsTest, IdenticalRecordsAreMatchedOneToOne) {
  std::vector<Json> sink = {Json{{"m", 1}}, Json{{"m", 1}}};
  EXPECT_EQ(mergeLogRecords(sink, "{\"m\":1}\n").size(), 2u);
  EXPECT_EQ(mergeLogRecords(sink, "{\"m\":1}\n{\"m\":1}\n{\"m\":1}\n").size(), 3u);
}

TEST(LogRecordsTest, StdoutCaptureTakesWhatIsPrintedAndRestoresStdout) {
  std::streambuf* before = std::cout.rdbuf();
  std::string printed;
  {
    StdoutCapture capture;
    std::cout << "captured line\n";
    EXPECT_NE(std::cout.rdbuf(), before);
    printed = capture.release();
    EXPECT_EQ(capture.release(), "");
  }
  EXPECT_EQ(printed, "captured line\n");
  EXPECT_EQ(std::cout.rdbuf(), before);
}

}  // namespace
}  // namespace rwd::conformance
