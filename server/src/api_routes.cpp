// HTTP routes of rewind-server's Lambda API. Request members are read where the service
// model puts them (uri, querystring, header, payload); answers carry the model's members.
#include "api_routes.hpp"

#include <httplib.h>

#include <regex>

#include <fmt/format.h>

#include "engine.hpp"
#include "function_names.hpp"
#include "random_ids.hpp"
#include "request_auth.hpp"
#include "rewind/batch_result.hpp"
#include "rewind/durable_api_json.hpp"
#include "rewind/operation_json.hpp"
#include "service_error.hpp"

namespace rwd::server::internal {

namespace {

// Limits from the service model and the Lambda quotas it documents.
constexpr std::size_t kSyncPayloadBytes = 6 * 1024 * 1024;
constexpr std::size_t kAsyncPayloadBytes = 1024 * 1024;
constexpr std::size_t kCallbackResultBytes = 262144;
constexpr std::size_t kApiBodyBytes = 6 * 1024 * 1024;

// The member that holds the message differs between the model's exception shapes.
const char* messageKey(const std::string& type) {
  if (type == "InvalidParameterValueException" || type == "RequestTooLargeException" ||
      type == "InvalidRequestContentException" || type == "UnsupportedMediaTypeException" ||
      type == "UnrecognizedClientException" || type == "InvalidSignatureException" ||
      type == "MissingAuthenticationTokenException" || type == "IncompleteSignatureException")
    return "message";
  return "Message";
}

void sendError(httplib::Response& res, int status, const std::string& type, const std::string& message) {
  res.status = status;
  res.set_header("X-Amzn-ErrorType", type);
  res.set_content(Json{{"Type", status < 500 ? "User" : "Service"}, {messageKey(type), message}}.dump(),
                  "application/json");
}

// Checks the request's signature (when `auth` is set), then runs `body`, answering a
// ServiceError (or anything else: a ServiceException) in the AWS error shape.
template <class F>
void guarded(const RequestAuthenticator* auth, const httplib::Request& req, httplib::Response& res, F&& body) {
  try {
    if (auth) {
      ReceivedRequest received{req.method, req.target, {req.headers.begin(), req.headers.end()}, req.body};
      auth->verify(received, std::chrono::system_clock::now());
    }
    body();
  } catch (const ServiceError& e) {
    sendError(res, e.status(), e.type(), e.what());
  } catch (const std::exception& e) {
    sendError(res, 500, "ServiceException", fmt::format("[rewind.server.internal] {}", e.what()));
  }
}

Json parseBody(const httplib::Request& req, std::size_t limit) {
  if (req.body.size() > limit)
    throw ServiceError(413, "RequestTooLargeException",
                       fmt::format("[rewind.server.too_large] the request body is {} bytes, over the {}-byte limit",
                                   req.body.size(), limit));
  try {
    return Json::parse(req.body);
  } catch (const std::exception& e) {
    throw ServiceError(400, "InvalidRequestContentException",
                       fmt::format("[rewind.server.bad_json] Could not parse request body into json: {}", e.what()));
  }
}

// FunctionName as the model allows it: a name, a partial ARN or an ARN, with an optional
// qualifier. Only $LATEST exists here.
std::string functionName(const std::string& raw, Engine& engine, const std::optional<std::string>& qualifier) {
  std::optional<FunctionRef> ref = parseFunctionName(raw);
  if (!ref)
    throw invalidParameter(fmt::format("[rewind.server.bad_function_name] '{}' is not a function name or ARN", raw));
  std::string name = ref->name;
  std::string version = ref->qualifier.value_or(qualifier.value_or("$LATEST"));
  if (!engine.knowsFunction(name) || (version != "$LATEST"))
    throw notFound(
        fmt::format("[rewind.server.no_function] Function not found: {}:{}", engine.functionArn(name), version));
  return name;
}

std::string pathArn(const httplib::Request& req) {
  std::string arn = uriDecode(req.matches[1].str());
  static const std::regex kArn(
      R"(arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):(\$LATEST(?:\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+))");
  if (arn.size() > 1024 || !std::regex_match(arn, kArn))
    throw invalidParameter(fmt::format("[rewind.server.bad_arn] '{}' is not a durable execution ARN", arn));
  return arn;
}

std::optional<std::string> param(const httplib::Request& req, const char* key) {
  if (!req.has_param(key)) return std::nullopt;
  return req.get_param_value(key);
}

int intParam(const httplib::Request& req, const char* key) {
  auto v = param(req, key);
  if (!v) return 0;
  try {
    std::size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used == v->size()) return n;
  } catch (const std::exception&) {
  }
  throw invalidParameter(fmt::format("[rewind.server.bad_integer] {} must be an integer, got '{}'", key, *v));
}

bool boolParam(const httplib::Request& req, const char* key, bool fallback) {
  auto v = param(req, key);
  if (!v) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  throw invalidParameter(fmt::format("[rewind.server.bad_boolean] {} must be true or false, got '{}'", key, *v));
}

std::optional<TimePoint> timeParam(const httplib::Request& req, const char* key) {
  auto v = param(req, key);
  if (!v) return std::nullopt;
  if (auto t = parseTimestamp(*v)) return t;
  try {
    std::size_t used = 0;
    double ms = std::stod(*v, &used) * 1000.0;
    // Bounded before the conversion (a larger value, inf or nan would be undefined).
    if (used == v->size() && ms >= static_cast<double>(kMinTimestampMs) && ms <= static_cast<double>(kMaxTimestampMs))
      return TimePoint{std::chrono::milliseconds{static_cast<std::int64_t>(ms)}};
  } catch (const std::exception&) {
  }
  throw invalidParameter(
      fmt::format("[rewind.server.bad_timestamp] {} must be an ISO-8601 timestamp, got '{}'", key, *v));
}

std::optional<ErrorObject> errorBody(const httplib::Request& req) {
  if (req.body.empty()) return std::nullopt;
  Json j = parseBody(req, kApiBodyBytes);
  if (j.is_null()) return std::nullopt;
  if (!j.is_object()) throw invalidParameter("[rewind.server.bad_error] Error must be an ErrorObject");
  return rwd::internal::errorFromJson(j);
}

Json executionJson(const ExecutionView& v, Engine& engine) {
  Json j{{"DurableExecutionArn", v.arn},
         {"DurableExecutionName", v.name},
         {"FunctionArn", engine.functionArn(v.functionName)},
         {"Status", v.status},
         {"StartTimestamp", epochSecondsJson(v.start)},
         {"Version", "$LATEST"}};
  if (v.input) j["InputPayload"] = *v.input;
  if (v.result) j["Result"] = *v.result;
  if (v.error) j["Error"] = rwd::internal::errorToJson(*v.error);
  if (v.end) j["EndTimestamp"] = epochSecondsJson(*v.end);
  return j;
}

void invoke(const httplib::Request& req, httplib::Response& res, Engine& engine) {
  std::string fn = functionName(uriDecode(req.matches[1].str()), engine, param(req, "Qualifier"));
  std::string type = req.has_header("X-Amz-Invocation-Type") ? req.get_header_value("X-Amz-Invocation-Type")
                                                             : std::string("RequestResponse");
  if (type != "RequestResponse" && type != "Event" && type != "DryRun")
    throw invalidParameter(
        fmt::format("[rewind.server.bad_invocation_type] InvocationType '{}' is not "
                    "RequestResponse, Event or DryRun",
                    type));
  std::size_t limit = type == "Event" ? kAsyncPayloadBytes : kSyncPayloadBytes;
  if (req.body.size() > limit)
    throw ServiceError(413, "RequestTooLargeException",
                       fmt::format("[rewind.server.too_large] Request must be smaller than {} bytes for the {} "
                                   "invocation type",
                                   limit, type));
  Payload input;
  if (!req.body.empty()) {
    parseBody(req, limit);  // must be JSON
    input = req.body;
  }
  std::optional<std::string> name;
  if (req.has_header("X-Amz-Durable-Execution-Name")) {
    name = req.get_header_value("X-Amz-Durable-Execution-Name");
    static const std::regex kName("[a-zA-Z0-9-_]{1,64}");
    if (!std::regex_match(*name, kName))
      throw invalidParameter(
          fmt::format("[rewind.server.bad_execution_name] DurableExecutionName '{}' must be 1-64 "
                      "characters of [a-zA-Z0-9-_]",
                      *name));
  }
  if (type == "DryRun") {
    res.status = 204;
    return;
  }
  std::string arn = engine.startExecution(fn, name, input);
  res.set_header("X-Amz-Executed-Version", "$LATEST");
  res.set_header("X-Amz-Durable-Execution-Arn", arn);
  if (type == "Event") {
    res.status = 202;
    return;
  }
  ExecutionView v = engine.waitForEnd(arn);
  res.status = 200;
  if (v.status == "SUCCEEDED") {
    res.set_content(v.result.value_or("null"), "application/json");
    return;
  }
  res.set_header("X-Amz-Function-Error", "Unhandled");
  Json err{{"errorType", v.error ? v.error->errorType : v.status},
           {"errorMessage", v.error ? v.error->errorMessage : ""}};
  res.set_content(err.dump(), "application/json");
}

}  // namespace

void installApiRoutes(httplib::Server& s, Engine& engine, const RequestAuthenticator* auth) {
  s.set_post_routing_handler(
      [](const httplib::Request&, httplib::Response& res) { res.set_header("x-amzn-RequestId", randomUuid()); });
  s.Post(R"(/2015-03-31/functions/([^/]+)/invocations)",
         [&engine, auth](const httplib::Request& req, httplib::Response& res) {
           guarded(auth, req, res, [&] { invoke(req, res, engine); });
         });
  s.Post(R"(/2025-12-01/durable-executions/(.+)/checkpoint)",
         [&engine, auth](const httplib::Request& req, httplib::Response& res) {
           guarded(auth, req, res, [&] {
             std::string arn = pathArn(req);
             Json body = parseBody(req, kApiBodyBytes);
             CheckpointDurableExecutionRequest request;
             try {
               request = checkpointRequestFromJson(arn, body);
             } catch (const std::invalid_argument& e) {
               throw invalidParameter(fmt::format("[rewind.server.bad_checkpoint] {}", e.what()));
             }
             res.set_content(toJson(engine.checkpoint(request)).dump(), "application/json");
           });
         });
  s.Get(R"(/2025-12-01/durable-executions/(.+)/state)",
        [&engine, auth](const httplib::Request& req, httplib::Response& res) {
          guarded(auth, req, res, [&] {
            GetDurableExecutionStateRequest request;
            request.durableExecutionArn = pathArn(req);
            auto token = param(req, "CheckpointToken");
            if (!token) throw invalidParameter("[rewind.server.no_token] CheckpointToken is required");
            request.checkpointToken = *token;
            request.marker = param(req, "Marker");
            if (req.has_param("MaxItems")) request.maxItems = intParam(req, "MaxItems");
            res.set_content(toJson(engine.state(request)).dump(), "application/json");
          });
        });
  s.Get(R"(/2025-12-01/durable-executions/(.+)/history)",
        [&engine, auth](const httplib::Request& req, httplib::Response& res) {
          guarded(auth, req, res, [&] {
            HistoryQuery q;
            q.includeData = boolParam(req, "IncludeExecutionData", true);
            q.maxItems = intParam(req, "MaxItems");
            q.marker = param(req, "Marker");
            q.reverse = boolParam(req, "ReverseOrder", false);
            res.set_content(engine.history(pathArn(req), q).dump(), "application/json");
          });
        });
  s.Post(R"(/2025-12-01/durable-executions/(.+)/stop)",
         [&engine, auth](const httplib::Request& req, httplib::Response& res) {
           guarded(auth, req, res, [&] {
             std::string arn = pathArn(req);
             TimePoint at = engine.stop(arn, errorBody(req));
             res.set_content(Json{{"StopTimestamp", epochSecondsJson(at)}}.dump(), "application/json");
           });
         });
  // Rewind's extension (not in the Lambda model): RedriveDurableExecution, as Step
  // Functions' RedriveExecution; engine.hpp says which executions and what runs again.
  s.Post(R"(/2025-12-01/durable-executions/(.+)/redrive)",
         [&engine, auth](const httplib::Request& req, httplib::Response& res) {
           guarded(auth, req, res, [&] {
             TimePoint at = engine.redrive(pathArn(req));
             res.set_content(Json{{"RedriveTimestamp", epochSecondsJson(at)}}.dump(), "application/json");
           });
         });
  s.Get(R"(/2025-12-01/durable-executions/(.+))", [&engine, auth](const httplib::Request& req, httplib::Response& res) {
    guarded(auth, req, res,
            [&] { res.set_content(executionJson(engine.describe(pathArn(req)), engine).dump(), "application/json"); });
  });
  s.Get(R"(/2025-12-01/functions/([^/]+)/durable-executions)", [&engine, auth](const httplib::Request& req,
                                                                               httplib::Response& res) {
    guarded(auth, req, res, [&] {
      std::string fn = functionName(uriDecode(req.matches[1].str()), engine, param(req, "Qualifier"));
      ListQuery q;
      q.name = param(req, "DurableExecutionName");
      static const std::set<std::string> kStatuses{"RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"};
      for (std::size_t i = 0; i < req.get_param_value_count("Statuses"); ++i) {
        std::string st = req.get_param_value("Statuses", i);
        // botocore and the JS SDK repeat the key; a comma-separated value is read too.
        std::size_t from = 0;
        while (from <= st.size()) {
          std::size_t comma = st.find(',', from);
          std::string one = st.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
          if (!kStatuses.count(one))
            throw invalidParameter(fmt::format("[rewind.server.bad_status] '{}' is not an execution status", one));
          q.statuses.push_back(one);
          if (comma == std::string::npos) break;
          from = comma + 1;
        }
      }
      q.startedAfter = timeParam(req, "StartedAfter");
      q.startedBefore = timeParam(req, "StartedBefore");
      q.reverse = boolParam(req, "ReverseOrder", false);
      q.marker = param(req, "Marker");
      q.maxItems = intParam(req, "MaxItems");
      res.set_content(engine.list(fn, q).dump(), "application/json");
    });
  });
  s.Post(
      R"(/2025-12-01/durable-execution-callbacks/([^/]+)/(succeed|fail|heartbeat))",
      [&engine, auth](const httplib::Request& req, httplib::Response& res) {
        guarded(auth, req, res, [&] {
          std::string id = uriDecode(req.matches[1].str());
          static const std::regex kId("[A-Za-z0-9+/]+={0,2}");
          if (id.size() > 1024 || !std::regex_match(id, kId))
            throw invalidParameter(fmt::format("[rewind.server.bad_callback_id] '{}' is not a callback id", id));
          std::string action = req.matches[2].str();
          if (action == "succeed") {
            if (req.body.size() > kCallbackResultBytes)
              throw ServiceError(413, "RequestTooLargeException",
                                 fmt::format("[rewind.server.too_large] the callback result is {} bytes, over "
                                             "the {}-byte limit",
                                             req.body.size(), kCallbackResultBytes));
            engine.callbackSuccess(id, req.body.empty() ? Payload() : Payload(req.body));
          } else if (action == "fail") {
            engine.callbackFailure(id, errorBody(req).value_or(ErrorObject{"Error", "", std::nullopt, std::nullopt}));
          } else {
            engine.callbackHeartbeat(id);
          }
          res.set_content("{}", "application/json");
        });
      });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (res.status == 404 && res.body.empty())
      sendError(res, 404, "UnknownOperationException",
                fmt::format("[rewind.server.unknown_operation] no operation at {} {}", req.method, req.path));
    else if (res.status == 413 && res.body.empty())
      sendError(res, 413, "RequestTooLargeException", "[rewind.server.too_large] the request body is too large");
    else if (res.status == 400 && res.body.empty())
      sendError(res, 400, "InvalidRequestContentException", "[rewind.server.bad_request] the request is malformed");
  });
}

}  // namespace rwd::server::internal
