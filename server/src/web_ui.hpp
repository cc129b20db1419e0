// rewind-server's web page, /ui: the executions, newest first, filtered by function,
// status, a part of the name and the start time (the engine's ListDurableExecutions query,
// across functions); and one page per execution with its summary, its operation timeline
// (the HTML timeline rewind-run --timeline writes, drawn from the stored history) and its
// history events.
//
//   GET /ui?function=F&status=S&name=PART&after=T&before=T&marker=M   the executions
//   GET /ui/execution?arn=ARN                                        one execution
//   GET /ui/timeline?arn=ARN                                         its timeline (framed)
//
// Read-only: nothing on these pages changes an execution, so a page can do no harm on a
// visitor's behalf. Everything from executions (names, payloads, errors, operation names)
// is escaped; the pages' Content-Security-Policy lets no script run but the timeline's
// own (by its hash), and nothing is fetched from elsewhere.
//
// Access: without access keys (rewind-server without --auth) the pages are as open as the
// API itself (the server binds 127.0.0.1 by default). With access keys the API wants SigV4,
// which a browser cannot send; the pages then answer only loopback clients (a non-loopback
// peer gets 403: the Basic credentials below would cross the network in clear text) that
// send HTTP Basic credentials of a configured key (user = access key id, password = secret;
// 401 with a Basic challenge otherwise).
#pragma once

#include <vector>

#include "rewind/server/server.hpp"

namespace httplib {
class Server;
}

namespace rwd::server::internal {

class Engine;

void installWebUi(httplib::Server& http, Engine& engine, std::vector<AccessKey> keys);

}  // namespace rwd::server::internal
