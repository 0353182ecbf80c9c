"""drugkg over a remote SPARQL 1.1 server (`drugkg serve --remote QUERY_URL`).

The site is the same; only where answers come from changes, chosen once at start-up
(`endpoint.state.follower_for`). The query processes (`endpoint.execution.worker`) check
every query as on the embedded store (size, nesting, the SERVICE allow-list, pyoxigraph's
parse) and for the engine (how deep a query it takes), then ask the remote instead of
evaluating it, and serialise its answer as it streams in, under the same time, memory and
result limits: a query over the time limit has its process killed, which abandons the
request to the remote.

engines    one row per engine: how it shows drugkg's dataset, takes a timeout, cuts results
request    what a query becomes on the remote: its dataset, its text written out
depth      how deep a query's structure goes: a query too deep for the engine is refused
client     the remote endpoint over the Protocol: the request sent, the answer as it streams
failures   what the remote's failures become: 400, 502, 503, 504, with what it said
evaluator  a query process's way to the remote: parse, dataset, write out, ask
follower   the remote as a server sees it: engine, drugkg's graphs, counts, generations
"""
