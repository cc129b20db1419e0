// The Lambda API's durable calls over HTTP, as botocore's lambda/2015-03-31 service model
// defines them (paths, methods, headers, members, status codes; errors as
// x-amzn-ErrorType plus a {Type, message|Message} body), on top of the Engine.
#pragma once

namespace httplib {
class Server;
}

namespace rwd::server::internal {

class Engine;
class RequestAuthenticator;

// `auth`: when not null, every route first checks the request's SigV4 signature.
void installApiRoutes(httplib::Server& http, Engine& engine, const RequestAuthenticator* auth = nullptr);

}  // namespace rwd::server::internal
