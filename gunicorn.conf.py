"""gunicorn's settings for selfcare (read from the working directory, or with `gunicorn -c gunicorn.conf.py`).

The API refuses an address longer than selfcare.url_rules.URI_MAX (2048) itself, with a 400 problem document
its openapi.json describes; gunicorn's own limit on the request line stays far above that, so it only meets what
no client of the app sends (its 414 is documented too). tests/test_production.py checks the order.
"""

limit_request_line = 8190  # bytes of "METHOD /path?query HTTP/1.1": the most gunicorn allows, four times the app's URI_MAX
limit_request_fields = 100  # headers in one request
limit_request_field_size = 8190  # bytes of one header (cookies included): a session, a remember and a device cookie fit
timeout = 30  # a sync worker stuck longer than this is restarted; nginx in front buffers slow clients (README)
