// CurlHttpClient against a cpp-httplib server on 127.0.0.1: methods, headers, bodies,
// status codes, connection reuse and transport errors.
#include "rewind/lambda/curl_http_client.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "local_server.hpp"

namespace rwd::lambda {
namespace {

TEST(CurlHttpClientTest, SendsMethodHeadersAndBodyAndReadsTheResponse) {
  testing::LocalServer server;
  server.http().Post("/echo", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 202;
    res.set_header("X-Got-Header", req.get_header_value("X-Mine"));
    res.set_header("X-Got-Type", req.get_header_value("Content-Type"));
    res.set_content("got:" + req.body, "text/plain");
  });
  server.start();
  CurlHttpClient client;
  HttpRequest req{
      "POST", server.url("/echo"), {{"X-Mine", "value 1"}, {"Content-Type", "application/json"}}, R"({"a":1})"};
  HttpResponse res = client.send(req);
  EXPECT_EQ(res.status, 202);
  EXPECT_EQ(res.body, R"(got:{"a":1})");
  EXPECT_EQ(res.header("x-got-header"), "value 1");
  EXPECT_EQ(res.header("X-GOT-TYPE"), "application/json");
}

TEST(CurlHttpClientTest, GetWithAnErrorStatusIsAResponseNotAnException) {
  testing::LocalServer server;
  server.http().Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"message":"nope"})", "application/json");
  });
  server.start();
  CurlHttpClient client;
  HttpResponse res = client.send({"GET", server.url("/missing")});
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.body, R"({"message":"nope"})");
}

TEST(CurlHttpClientTest, OneClientSendsManyRequestsAndEmptyBodies) {
  testing::LocalServer server;
  int calls = 0;
  server.http().Post("/count", [&](const httplib::Request& req, httplib::Response& res) {
    ++calls;
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  server.start();
  CurlHttpClient client;
  for (int i = 0; i < 5; ++i) {
    HttpResponse res = client.send({"POST", server.url("/count")});
    EXPECT_EQ(res.status, 200);
    EXPECT_EQ(res.body, "0");
  }
  EXPECT_EQ(calls, 5);
}

TEST(CurlHttpClientTest, RefusedConnectionIsATransportError) {
  int port = 0;
  {
    testing::LocalServer server;  // bind a port, then close it so nothing listens there
    server.start();
    port = server.port();
  }
  CurlHttpClient client;
  try {
    client.send({"GET", "http://127.0.0.1:" + std::to_string(port) + "/"});
    FAIL() << "expected a transport error";
  } catch (const HttpTransportError& e) {
    EXPECT_NE(std::string(e.what()).find("[rewind.lambda.http_transport]"), std::string::npos);
  }
}

}  // namespace
}  // namespace rwd::lambda

namespace rwd::lambda {
namespace {

TEST(FindCaBundleTest, PrefersSslCertFileThenAmazonLinuxThenDebianPaths) {
  auto noEnv = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  auto al2023 = [](const std::string& p) { return p == "/etc/pki/tls/certs/ca-bundle.crt"; };
  auto debian = [](const std::string& p) { return p == "/etc/ssl/certs/ca-certificates.crt"; };
  EXPECT_EQ(findCaBundle(noEnv, al2023), "/etc/pki/tls/certs/ca-bundle.crt");
  EXPECT_EQ(findCaBundle(noEnv, debian), "/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(findCaBundle(noEnv, [](const std::string&) { return false; }), "");
  auto env = [](const std::string& n) -> std::optional<std::string> {
    return n == "SSL_CERT_FILE" ? std::optional<std::string>("/my/ca.pem") : std::nullopt;
  };
  EXPECT_EQ(findCaBundle(env, debian), "/my/ca.pem");
}

}  // namespace
}  // namespace rwd::lambda
