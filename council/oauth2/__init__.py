"""The OAuth 2.0 authorization server (DESIGN.md, "Security model").

authlib's generic RFC 6749 server with Council's grants (:mod:`.server`),
Starlette request adapters (:mod:`.requests`), the HTTP endpoints
(:mod:`.endpoints`), the bridge from authlib's synchronous calls to the
asynchronous ORM (:mod:`.bridge`) and client management (:mod:`.service`).
"""
