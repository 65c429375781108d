"""The sign-in route: POST {base}/auth/signin checks the password and answers with the session cookie.

Streamlit talks to a page over a websocket, which cannot set a cookie, and a cookie written by page script
(document.cookie) is readable by any script that gets into the page. So the sign-in form posts to this plain HTTP
route, served in the dashboard's own process (dashboard/server.py, st.App), which sets the cookie HttpOnly (no
script can read it), SameSite=Strict (no other site's page, form or websocket carries it) and, when the browser
is on https (auth.secure_cookie), Secure and named __Host-.
"""

import re
from urllib.parse import parse_qs, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from dashboard.components import auth
from tracker import db, sessions
from tracker.users import AuthError

MAX_FORM_BYTES = 8192
# Where the browser may be sent back: a page of this dashboard and its query, never another site.
_RETURN_TO = re.compile(r"[A-Za-z0-9_-]*(\?[A-Za-z0-9_.~%&=+-]*)?")


def _same_origin(request: Request) -> bool:
    """A sign-in posted by this dashboard's own page: login CSRF (another site signing the browser in to an
    account of the attacker's) is refused. Browsers always send Origin with a form POST."""
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return False
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return False
    hosts = {request.headers.get("host"), request.headers.get("x-forwarded-host")} - {None}
    return urlsplit(origin).netloc in hosts


async def _form(request: Request) -> dict[str, str] | None:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), max_num_fields=8)
    return {key: values[0] for key, values in fields.items()}


def _check(email: str, password: str, config: sessions.SessionSettings, client: str | None) -> str:
    with db.session_scope(db.get_engine()) as s:
        return sessions.sign_in(s, email=email, password=password, config=config, client=client)[1]


def _base(request: Request) -> str:
    return request.url.path[: -len(auth.SIGN_IN_PATH)]  # the route's own path: {base}/auth/signin


async def sign_in(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Sign-in refused: it did not come from this dashboard's page.", status_code=403)
    form = await _form(request)
    if form is None:
        return PlainTextResponse("Sign-in form too large.", status_code=413)
    back = form.get("next", "")
    back = back if _RETURN_TO.fullmatch(back) else ""
    config = sessions.session_settings()
    # The connection's address; behind a proxy, uvicorn (which serves Streamlit) has already put the browser's
    # from X-Forwarded-For in its place, but only for a proxy it trusts (FORWARDED_ALLOW_IPS, by default this
    # host's 127.0.0.1 and ::1): a client talking to us directly cannot choose its address with that header.
    client = request.client.host if request.client else None
    try:
        token = await run_in_threadpool(_check, form.get("email", ""), form.get("password", ""), config, client)
    except AuthError as exc:
        why = ("paused_client" if str(exc).startswith(sessions.CLIENT_PAUSED)
               else next((word for word in ("deactivated", "paused") if word in str(exc)), "failed"))
        joiner = "&" if "?" in back else "?"
        return _no_store(RedirectResponse(f"{_base(request)}{back}{joiner}{auth.FAILED_PARAM}={why}", 303))
    # As every page decides which cookie it takes (auth.secure_cookie): from the browser's Origin, which says https
    # behind a TLS proxy that forwards plain http.
    secure = auth.secure_cookie(config.secure_cookie, origin=request.headers.get("origin"), url=str(request.url))
    response = RedirectResponse(f"{_base(request)}{back}", status_code=303)
    response.set_cookie(auth.SECURE_COOKIE_NAME if secure else auth.COOKIE_NAME, token,
                        max_age=int(config.absolute.total_seconds()), path="/", secure=secure, httponly=True,
                        samesite="strict")
    return _no_store(response)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


def routes(base_url_path: str = "") -> list[Route]:
    base = base_url_path.strip("/")
    return [Route(f"/{base}/{auth.SIGN_IN_PATH}" if base else f"/{auth.SIGN_IN_PATH}", sign_in,
                  methods=["POST"])]
