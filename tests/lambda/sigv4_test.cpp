// SigV4: AWS's published known answer, and agreement with botocore's own signer on a table
// of durable-API-shaped requests (skipped where python3 or botocore is missing).
#include "rewind/lambda/sigv4.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "python_tool.hpp"
#include "rewind/lambda/url.hpp"

namespace rwd::lambda {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

std::chrono::system_clock::time_point at(long long epochSeconds) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{epochSeconds}};
}

// 2015-08-30T12:36:00Z, the date of AWS's sigv4 test suite.
constexpr long long kSuiteEpoch = 1440938160;
const AwsCredentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};

TEST(SigV4Test, MatchesAwsTestSuiteGetVanilla) {
  HttpRequest req{"GET", "https://example.amazonaws.com/"};
  SigningResult r = signRequest(req, kSuiteCredentials, "us-east-1", "service", at(kSuiteEpoch));
  EXPECT_EQ(r.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(req.header("X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(req.header("Host"), "example.amazonaws.com");
}

TEST(SigV4Test, MatchesAwsTestSuiteGetVanillaQueryOrderKey) {
  HttpRequest req{"GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"};
  SigningResult r = signRequest(req, kSuiteCredentials, "us-east-1", "service", at(kSuiteEpoch));
  EXPECT_EQ(r.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Test, SessionTokenIsSentAndSigned) {
  HttpRequest req{"GET", "https://example.amazonaws.com/"};
  AwsCredentials creds = kSuiteCredentials;
  creds.sessionToken = "token/with+chars==";
  SigningResult r = signRequest(req, creds, "us-east-1", "service", at(kSuiteEpoch));
  EXPECT_EQ(req.header("X-Amz-Security-Token"), "token/with+chars==");
  EXPECT_NE(r.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token"), std::string::npos);
}

TEST(SigV4Test, ResigningReplacesTheOldSignature) {
  HttpRequest req{"POST", "https://example.amazonaws.com/x", {}, "{}"};
  signRequest(req, kSuiteCredentials, "us-east-1", "service", at(kSuiteEpoch));
  SigningResult second = signRequest(req, kSuiteCredentials, "us-east-1", "service", at(kSuiteEpoch + 60));
  int authorizations = 0;
  for (const auto& h : req.headers) authorizations += h.first == "Authorization";
  EXPECT_EQ(authorizations, 1);
  EXPECT_EQ(req.header("Authorization"), second.authorization);
  EXPECT_EQ(req.header("X-Amz-Date"), "20150830T123700Z");
}

TEST(SigV4Test, BadUrlIsAClearError) {
  HttpRequest req{"GET", "example.amazonaws.com/"};
  try {
    signRequest(req, kSuiteCredentials, "us-east-1", "service", at(kSuiteEpoch));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("[rewind.lambda.bad_url]"), std::string::npos);
  }
}

TEST(UrlTest, PercentEncodesAnArnAsAPathParameter) {
  EXPECT_EQ(percentEncode("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/a/b"),
            "arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%3A%24LATEST%2Fdurable-execution%2Fa%2Fb");
  EXPECT_EQ(percentEncode("a b~c", true), "a%20b~c");
  EXPECT_EQ(percentEncode("a/b", true), "a/b");
}

TEST(UrlTest, SplitsHostPortPathAndQuery) {
  UrlParts p = splitUrl("HTTP://Example.COM:80/a/b?x=1");
  EXPECT_EQ(p.scheme, "http");
  EXPECT_EQ(p.host, "example.com");
  EXPECT_THROW(splitUrl("ftp://example.com/"), std::invalid_argument);
  UrlParts q = splitUrl("https://Lambda.us-east-1.amazonaws.com:443");
  EXPECT_EQ(q.host, "lambda.us-east-1.amazonaws.com");
  EXPECT_EQ(q.path, "/");
  UrlParts r = splitUrl("http://127.0.0.1:9001/2018-06-01/runtime/invocation/next?a=b#frag");
  EXPECT_EQ(r.host, "127.0.0.1:9001");
  EXPECT_EQ(r.path, "/2018-06-01/runtime/invocation/next");
  EXPECT_EQ(r.query, "a=b");
}

// ---- botocore agreement ----

struct TableRow {
  std::string label;
  HttpRequest request;
  AwsCredentials credentials;
  std::string region;
};

std::vector<TableRow> signingTable() {
  const std::string arn =
      "arn:aws:lambda:us-east-1:123456789012:function:hello:$LATEST/durable-execution/"
      "exec-1/3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b";
  const std::string base = "https://lambda.us-east-1.amazonaws.com/2025-12-01/durable-executions/" + percentEncode(arn);
  AwsCredentials temp{"ASIAEXAMPLEKEY123456",
                      "secret/with+slash=", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJH=="};
  AwsCredentials longTerm{"AKIAEXAMPLEKEY123456", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  std::vector<TableRow> rows;
  rows.push_back(
      {"checkpoint with session token",
       {"POST",
        base + "/checkpoint",
        {{"Content-Type", "application/json"}},
        R"({"CheckpointToken":"tok+/=","Updates":[{"Id":"1","Type":"STEP","Action":"START"}],"ClientToken":"c-1"})"},
       temp,
       "us-east-1"});
  rows.push_back({"state with paging query",
                  {"GET", base + "/state?CheckpointToken=" + percentEncode("tok+/=") +
                              "&MaxItems=1000&Marker=" + percentEncode("next page/2")},
                  temp,
                  "us-east-1"});
  rows.push_back({"empty body, long-term keys, port",
                  {"GET", "http://127.0.0.1:9001/2025-12-01/durable-executions/" + percentEncode(arn) + "/state"},
                  longTerm,
                  "eu-west-3"});
  rows.push_back({"repeated and unsorted query keys",
                  {"GET", "https://lambda.eu-west-1.amazonaws.com/x?b=2&a=3&a=1&c="},
                  longTerm,
                  "eu-west-1"});
  rows.push_back(
      {"headers with spaces, mixed case and unsigned ones",
       {"POST",
        "https://lambda.us-west-2.amazonaws.com/2025-12-01/durable-executions/" + percentEncode(arn) + "/checkpoint",
        {{"Content-Type", "application/json"},
         {"X-Custom-Thing", "  a   b  c "},
         {"User-Agent", "rewind/0.1"},
         {"X-Amzn-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793"}},
        R"({"CheckpointToken":"t"})"},
       temp,
       "us-west-2"});
  rows.push_back({"path with characters to encode",
                  {"GET", "https://lambda.us-east-1.amazonaws.com/a%20b/" + percentEncode("c d") + "/%7Eok"},
                  longTerm,
                  "us-east-1"});
  rows.push_back(
      {"China region, empty POST body",
       {"POST", "https://lambda.cn-north-1.amazonaws.com.cn/2025-12-01/durable-executions/" +
                    percentEncode("arn:aws-cn:lambda:cn-north-1:123456789012:function:f:1/durable-execution/a/b") +
                    "/checkpoint"},
       temp,
       "cn-north-1"});
  return rows;
}

TEST(SigV4BotocoreTest, SignaturesEqualBotocoreOnATableOfRequests) {
  constexpr long long kEpoch = 1764849600;  // 2025-12-04T12:00:00Z
  auto rows = signingTable();
  json table = json::array();
  for (const auto& row : rows) {
    json headers = json::array();
    for (const auto& [name, value] : row.request.headers) headers.push_back({name, value});
    table.push_back({{"method", row.request.method},
                     {"url", row.request.url},
                     {"headers", headers},
                     {"body", row.request.body},
                     {"epoch", kEpoch},
                     {"accessKeyId", row.credentials.accessKeyId},
                     {"secretAccessKey", row.credentials.secretAccessKey},
                     {"sessionToken", row.credentials.sessionToken},
                     {"region", row.region},
                     {"service", "lambda"}});
  }
  testing::PythonRun run = testing::runPythonTool("botocore_sign.py", table);
  if (!run.available) GTEST_SKIP() << "python3 with botocore is not available";
  ASSERT_TRUE(run.output.is_array());
  ASSERT_EQ(run.output.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    HttpRequest req = rows[i].request;
    SigningResult ours = signRequest(req, rows[i].credentials, rows[i].region, "lambda", at(kEpoch));
    EXPECT_EQ(ours.authorization, run.output[i]["authorization"].get<std::string>())
        << rows[i].label << "\nours:\n"
        << ours.canonicalRequest << "\nbotocore:\n"
        << run.output[i]["canonicalRequest"].get<std::string>();
  }
}

}  // namespace
}  // namespace rwd::lambda
