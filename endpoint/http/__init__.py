"""HTTP concerns shared by every path: connections, headers, caching, transfer.

connections  uvicorn's protocol with bounds on slow or oversized requests
accept       the one Accept parser
hardening    the outermost layer: Host required, nosniff on every response
caching      ETags from the store version, Cache-Control, 304
transfer     CORS and gzip, one rule for every path and the fast path
"""
