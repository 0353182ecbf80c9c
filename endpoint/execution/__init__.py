"""Query execution in killable processes, each on one version of the store.

pool         the query processes: time and memory limits, fair share, replacement
worker       one query process: evaluates jobs with pyoxigraph, streams answers
wire         the framing between the server and its query processes
versions     the store version a server answers from, and its move to a newer one
remote/      a remote SPARQL server answering instead of the store (`drugkg serve --remote`)
"""
