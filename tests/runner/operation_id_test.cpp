// OperationId (sdk/include/rewind/operation_id.hpp): ids up to 23 characters are held
// inline, longer ones on the heap; both read like strings, copy, move and compare as
// values, and convert to and from std::string.
#include <fmt/format.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>

#include <gtest/gtest.h>

#include "rewind/operation.hpp"
#include "rewind/operation_json.hpp"
#include "rewind/serdes.hpp"

namespace {

using rwd::OperationId;

const std::string kShort = "5f4dcc3b5aa765d6";                     // Rewind's ids: 16 characters
const std::string kEdge(OperationId::kInlineCapacity, 'e');        // the longest held inline
const std::string kLong = "an-id-that-another-runtime-sent-64-chars";  // on the heap

TEST(OperationIdValueTest, HoldsWhatItWasGivenInlineOrOnTheHeap) {
  for (const std::string& text : {std::string(), kShort, kEdge, kEdge + "x", kLong}) {
    OperationId id(text);
    EXPECT_EQ(id.size(), text.size());
    EXPECT_EQ(id.empty(), text.empty());
    EXPECT_EQ(id.view(), text);
    EXPECT_EQ(std::string(id.c_str()), text);  // NUL-terminated
    EXPECT_EQ(id.str(), text);
    EXPECT_EQ(std::string(id.begin(), id.end()), text);
  }
  EXPECT_TRUE(OperationId().empty());
  EXPECT_STREQ(OperationId().c_str(), "");
}

TEST(OperationIdValueTest, CopiesMovesAndSwapsAsAValue) {
  for (const std::string& a : {kShort, kLong}) {
    for (const std::string& b : {std::string(), kEdge, kLong + "-2"}) {
      OperationId x(a), y(b);
      OperationId copy = x;
      EXPECT_EQ(copy, x);
      y = x;  // copy-assign over either storage
      EXPECT_EQ(y.view(), a);
      EXPECT_EQ(x.view(), a);
      OperationId moved = std::move(y);
      EXPECT_EQ(moved.view(), a);
      EXPECT_TRUE(y.empty());  // NOLINT(bugprone-use-after-move): a moved-from id is empty
      OperationId z(b);
      z = std::move(moved);
      EXPECT_EQ(z.view(), a);
      OperationId s(b);
      s.swap(z);
      EXPECT_EQ(s.view(), a);
      EXPECT_EQ(z.view(), b);
    }
  }
}

TEST(OperationIdValueTest, AssigningItsOwnCharactersKeepsThem) {
  for (const std::string& text : {kShort, kLong}) {
    OperationId id(text);
    const OperationId& same = id;
    id = same;
    EXPECT_EQ(id.view(), text);
    id = id.view().substr(2);  // a part of itself
    EXPECT_EQ(id.view(), text.substr(2));
    id = std::string_view(id);
    EXPECT_EQ(id.view(), text.substr(2));
  }
  OperationId longOne(kLong);
  longOne = longOne.view().substr(0, 4);  // from the heap back inline, out of its own buffer
  EXPECT_EQ(longOne.view(), kLong.substr(0, 4));
}

TEST(OperationIdValueTest, ComparesWithStringsEitherWayAndOrders) {
  OperationId id(kShort);
  EXPECT_TRUE(id == kShort);
  EXPECT_TRUE(kShort == id);
  EXPECT_TRUE(id == std::string_view(kShort));
  EXPECT_TRUE(id == kShort.c_str());
  EXPECT_TRUE("5f4dcc3b5aa765d6" == id);
  EXPECT_FALSE(id != kShort);
  EXPECT_TRUE(id != "other");
  EXPECT_LT(OperationId("a"), OperationId("b"));
  EXPECT_LT(OperationId("a"), std::string("b"));
  EXPECT_GT(std::string("b"), OperationId("a"));
  std::optional<OperationId> parent = kShort;
  std::optional<std::string> asText = parent;  // optional<OperationId> converts
  EXPECT_EQ(asText, kShort);
  EXPECT_TRUE(parent == asText);
  EXPECT_TRUE(parent == kShort);
  EXPECT_EQ(parent.value_or(""), kShort);
}

TEST(OperationIdValueTest, ReadsLikeAString) {
  OperationId id(kShort);
  std::string s = id;
  std::string_view v = id;
  EXPECT_EQ(s, kShort);
  EXPECT_EQ(v, kShort);
  EXPECT_EQ(id + "-1", kShort + "-1");
  EXPECT_EQ("x-" + id, "x-" + kShort);
  EXPECT_EQ(id + id, kShort + kShort);
  EXPECT_EQ(std::string("y") + id, "y" + kShort);
  std::string appended = "z";
  appended += id;
  EXPECT_EQ(appended, "z" + kShort);
  EXPECT_EQ(id.substr(0, 4), kShort.substr(0, 4));
  EXPECT_EQ(id.find("cc"), kShort.find("cc"));
  EXPECT_TRUE(id.starts_with("5f4d"));
  EXPECT_TRUE(id.ends_with("65d6"));
  EXPECT_EQ(id[1], 'f');
  std::ostringstream os;
  os << id;
  EXPECT_EQ(os.str(), kShort);
  EXPECT_EQ(fmt::format("<{}>", id), "<" + kShort + ">");
  std::map<std::string, int> byText{{kShort, 1}};
  EXPECT_EQ(byText.count(id), 1U);
  std::unordered_set<OperationId> set{OperationId(kShort), OperationId(kLong)};
  EXPECT_EQ(set.count(OperationId(kLong)), 1U);
  EXPECT_EQ(std::hash<OperationId>{}(id), std::hash<std::string_view>{}(kShort));
  EXPECT_EQ(rwd::Json(id), rwd::Json(kShort));  // a JSON string, not an array of characters
}

TEST(OperationIdValueTest, AnIdOfAnyLengthIsNotAllocatedUpToTheInlineCapacity) {
  // What the type is for: the records and events of an execution hold their ids in
  // themselves (no pointer into the heap when the id fits).
  OperationId inl(kEdge), heap(kEdge + "x");
  auto inside = [](const OperationId& id) {
    const char* p = id.data();
    const char* self = reinterpret_cast<const char*>(&id);
    return p >= self && p < self + sizeof(OperationId);
  };
  EXPECT_TRUE(inside(inl));
  EXPECT_TRUE(inside(OperationId(kShort)));
  EXPECT_FALSE(inside(heap));
  EXPECT_EQ(sizeof(OperationId), sizeof(std::string));
}

// The SDK reuses one update for every checkpoint: what one checkpoint set must not leak
// into the next (the wire form of every option field, reset, is that of a new update).
TEST(OperationUpdateReuseTest, ResetAllButIdentityLeavesOnlyTheIdentity) {
  rwd::OperationUpdate u;
  u.id = "5f4dcc3b5aa765d6";
  u.stepId = "1-2";
  u.parentId = "0123456789abcdef";
  u.name = "n";
  u.type = rwd::OperationType::Callback;
  u.subType = rwd::OperationSubType::WaitForCallback;
  u.action = rwd::OperationAction::Retry;
  rwd::OperationUpdate blank = u;  // the identity alone
  u.payload = "1";
  u.error = rwd::ErrorObject{"E", "m", std::nullopt, {}};
  u.nextAttemptDelaySeconds = 3;
  u.waitSeconds = 4;
  u.callbackTimeoutSeconds = 5;
  u.callbackHeartbeatTimeoutSeconds = 6;
  u.functionName = "f";
  u.tenantId = "t";
  u.replayChildren = true;
  ASSERT_NE(rwd::toJson(u), rwd::toJson(blank));
  u.resetAllButIdentity();
  EXPECT_EQ(rwd::toJson(u), rwd::toJson(blank));
  EXPECT_EQ(u.stepId, "1-2");
  EXPECT_FALSE(u.replayChildren);
}

}  // namespace
