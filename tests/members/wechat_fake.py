"""A local fake of WeChat's servers, answering over HTTP on 127.0.0.1 as WeChat documents.

It plays the part of WeChat behind the authorisation page (the person scanned the QR code or
allowed the official account: ``authorise`` hands out the code WeChat would put in the redirect;
for a browser, the authorisation pages themselves answer with that redirect: see ``will_allow``),
the web authorisation API (sns/oauth2/access_token, sns/userinfo) and the official account's API
(cgi-bin/token, message/template/send, message/subscribe/bizsend). Like WeChat, it answers errors
with HTTP 200 and an ``errcode``, and profiles as UTF-8 ``text/plain``.
"""

import itertools
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

OPEN_APP = ("wxopen0000000001", "open-secret")
MP_APP = ("wxmp00000000000001", "mp-secret")
MP_TEMPLATE = "TPL-reminder-0001"  # the official account's reminder template
# WeChat's authorisation pages, where the site sends the person's browser (settings.WECHAT_OPEN_URL).
AUTHORISATION_PAGES = ("/connect/oauth2/authorize", "/connect/qrconnect")


class FakeWeChat:
    def __init__(self) -> None:
        self.apps = dict([OPEN_APP, MP_APP])
        self.codes: dict[str, dict] = {}  # code → appid, openid, scope
        self.user_tokens: dict[str, dict] = {}  # web authorisation token → openid, scope
        self.profiles: dict[str, dict] = {}  # openid → what sns/userinfo answers
        self.api_tokens: set[str] = set()
        self.token_fetches = 0
        self.followers: set[str] = set()
        self.templates: set[str] = set()
        self.sent: list[dict] = []  # message requests accepted
        self.calls: list[str] = []  # every path asked, in order
        self.next_message_answers: list[dict] = []  # forced answers to the next message requests
        self.next_userinfo_answers: list[dict] = []  # forced answers to the next profile requests
        self.at_the_authorisation_page: dict | None = None  # who allows the sign-in in a browser (None refuses)
        self._numbers = itertools.count(1000)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FakeWeChat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- What the person does on WeChat's side ---------------------------------------------

    def authorise(self, *, appid: str, openid: str, scope: str, nickname: str = "", unionid: str = "") -> str:
        """The person allowed the sign-in: the code WeChat appends to the redirect."""
        code = secrets.token_hex(8)
        self.codes[code] = {"appid": appid, "openid": openid, "scope": scope, "unionid": unionid}
        self.profiles[openid] = {"openid": openid, "nickname": nickname, "sex": 0, "province": "上海",
                                 "city": "上海", "country": "中国", "headimgurl": "", "privilege": [],
                                 **({"unionid": unionid} if unionid else {})}
        return code

    def will_allow(self, *, openid: str, nickname: str = "", unionid: str = "") -> None:
        """A browser sent to the authorisation page from now on is this person, who allows the sign-in."""
        self.at_the_authorisation_page = {"openid": openid, "nickname": nickname, "unionid": unionid}

    def will_refuse(self) -> None:
        """A browser sent to the authorisation page from now on is refused (the person tapped 拒绝)."""
        self.at_the_authorisation_page = None

    def authorisation_redirect(self, query: dict) -> str | None:
        """Where the authorisation page sends the browser, as WeChat does: back to ``redirect_uri`` with
        ``code`` and ``state`` when the person allowed it, with ``state`` alone when they refused."""
        q = {key: values[0] for key, values in query.items()}
        if q.get("appid") not in self.apps or q.get("response_type") != "code" or not q.get("redirect_uri"):
            return None
        back = {"state": q.get("state", "")}
        person = self.at_the_authorisation_page
        if person is not None:
            back = {"code": self.authorise(appid=q["appid"], scope=q.get("scope", ""), **person), **back}
        return q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urlencode(back)

    def revoke_api_tokens(self) -> None:
        """Make every issued API token invalid (another server fetched a new one, say)."""
        self.api_tokens.clear()

    # --- WeChat's answers --------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, body: bytes) -> tuple[dict, str]:
        self.calls.append(path)
        q = {key: values[0] for key, values in query.items()}
        if method == "GET" and path == "/sns/oauth2/access_token":
            return self._user_token(q), "text/plain"
        if method == "GET" and path == "/sns/userinfo":
            return self._userinfo(q), "text/plain"
        if method == "GET" and path == "/cgi-bin/token":
            return self._api_token(q), "application/json; encoding=utf-8"
        if method == "POST" and path in ("/cgi-bin/message/template/send", "/cgi-bin/message/subscribe/bizsend"):
            return self._message(path, q, body), "application/json; encoding=utf-8"
        return {"errcode": 40066, "errmsg": "invalid url"}, "application/json"

    def _user_token(self, q: dict) -> dict:
        if q.get("grant_type") != "authorization_code":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if self.apps.get(q.get("appid")) != q.get("secret"):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        grant = self.codes.pop(q.get("code", ""), None)  # a code is good once
        if grant is None or grant["appid"] != q["appid"]:
            return {"errcode": 40029, "errmsg": "invalid code"}
        token = secrets.token_hex(16)
        self.user_tokens[token] = grant
        answer = {"access_token": token, "expires_in": 7200, "refresh_token": secrets.token_hex(16),
                  "openid": grant["openid"], "scope": grant["scope"]}
        if grant["unionid"]:
            answer["unionid"] = grant["unionid"]
        return answer

    def _userinfo(self, q: dict) -> dict:
        grant = self.user_tokens.get(q.get("access_token", ""))
        if grant is None:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self.next_userinfo_answers:
            return self.next_userinfo_answers.pop(0)
        if grant["scope"] == "snsapi_base":
            return {"errcode": 48001, "errmsg": "api unauthorized"}
        if grant["openid"] != q.get("openid"):
            return {"errcode": 40003, "errmsg": "invalid openid"}
        return self.profiles[grant["openid"]]

    def _api_token(self, q: dict) -> dict:
        if q.get("grant_type") != "client_credential":
            return {"errcode": 40002, "errmsg": "invalid grant_type"}
        if q.get("appid") not in self.apps:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if self.apps[q["appid"]] != q.get("secret"):
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        self.token_fetches += 1
        token = secrets.token_hex(16)
        self.api_tokens.add(token)
        return {"access_token": token, "expires_in": 7200}

    def _message(self, path: str, q: dict, body: bytes) -> dict:
        if q.get("access_token") not in self.api_tokens:
            return {"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"}
        if self.next_message_answers:
            return self.next_message_answers.pop(0)
        message = json.loads(body)
        if message.get("touser") not in self.followers:
            return {"errcode": 43004, "errmsg": "require subscribe"}
        if message.get("template_id") not in self.templates:
            return {"errcode": 40037, "errmsg": "invalid template_id"}
        self.sent.append({"path": path, **message})
        return {"errcode": 0, "errmsg": "ok", "msgid": next(self._numbers)}


def _handler(fake: FakeWeChat):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, method: str) -> None:
            parts = urlsplit(self.path)
            if method == "GET" and parts.path in AUTHORISATION_PAGES:
                location = fake.authorisation_redirect(parse_qs(parts.query))
                if location is not None:  # else WeChat's error answer below
                    fake.calls.append(parts.path)
                    self.send_response(302)
                    self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer, content_type = fake.answer(method, parts.path, parse_qs(parts.query), body)
            data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            self._reply("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._reply("POST")

        def log_message(self, *args) -> None:
            pass

    return Handler
