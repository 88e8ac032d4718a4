"""The portal's WSGI application as uvicorn's WSGI interface can serve it.

Django writes Set-Cookie values with a leading space (``cookie.output(header="")``), which
WSGI servers such as gunicorn strip and uvicorn's h11 refuses. Gunicorn is not installed
here, so the comparison runs through uvicorn with the values stripped.
"""

from portal.wsgi import application as portal_application


def application(environ, start_response):
    def start(status, headers, exc_info=None):
        return start_response(status, [(name, value.strip()) for name, value in headers], exc_info)

    return portal_application(environ, start)
