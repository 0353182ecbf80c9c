"""drugkg's SPARQL 1.1 endpoint: a FastAPI service over the read-only pyoxigraph store."""
