"""HTTP for the remote backend (standard library only): credentials taken out of a URL, Basic and Digest
authentication, and every failure turned into a one-line :class:`~kg.core.errors.InputError`."""

from __future__ import annotations

import re

from kg.core.errors import InputError, echo

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Take ``user:password@`` out of a URL (urllib does not use it)."""
    from urllib.parse import unquote, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port  # a bad port or IPv6 address raises here
    except ValueError as exc:
        raise InputError(f"{echo(url)} is not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise InputError(f"{echo(url)} is not an http(s) URL of a SPARQL endpoint")
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InputError(f"{echo(url)} is not a URL (it holds a space or a control character)")
    if parts.username is None:
        return url, None, None
    netloc = hostname + (f":{port}" if port else "")
    user, password = unquote(parts.username), unquote(parts.password or "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), user, password


class Http:
    """An urllib opener with optional Basic/Digest credentials and errors turned into one-line messages."""

    def __init__(self, url: str, user: str | None, password: str | None, timeout: float) -> None:
        import urllib.request

        self.url, self.timeout = url, timeout
        self.passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        handlers: list[Any] = []
        if user is not None:
            self.passwords.add_password(None, url, user, password or "")
            handlers += [
                urllib.request.HTTPDigestAuthHandler(self.passwords),
                urllib.request.HTTPBasicAuthHandler(self.passwords),
            ]
        self.has_credentials = user is not None
        self.opener = urllib.request.build_opener(*handlers)

    def send(
        self,
        url: str,
        *,
        method: str,
        data: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        authorize_first: bool = False,
    ) -> tuple[bytes, Any]:
        """One request. With ``authorize_first`` (an upload), the credentials go with the request itself: a
        server that answers 401 before reading a large body closes the connection under the sender."""
        import http.client
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        opener = self.opener
        try:
            if authorize_first and self.has_credentials:
                header = self._authorization(request)
                if header:
                    request.add_unredirected_header("Authorization", header)
                    opener = urllib.request.build_opener()
            with opener.open(request, timeout=self.timeout) as response:
                return response.read(), response.headers
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            raise InputError(f"{url.split('?')[0]}: HTTP {exc.code} {exc.reason}: {first_line(body)}") from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, (BrokenPipeError, ConnectionResetError)) and data:
                raise InputError(
                    f"{url.split('?')[0]}: the server closed the connection during the upload "
                    f"({exc.reason}); were credentials needed?"
                ) from None
            raise InputError(f"{url.split('?')[0]}: cannot reach the endpoint: {exc.reason}") from None
        except (TimeoutError, ConnectionError) as exc:
            raise InputError(f"{url.split('?')[0]}: the connection failed: {exc}") from None
        except (ValueError, UnicodeError, http.client.HTTPException) as exc:  # a URL urllib cannot send
            raise InputError(f"{echo(url.split('?')[0])}: cannot send the request: {exc}") from None

    def _authorization(self, request: Any) -> str | None:
        """The Authorization header for ``request``, from the challenge a body-less HEAD brings back."""
        import base64
        import urllib.error
        import urllib.request

        probe = urllib.request.Request(request.full_url, method="HEAD")
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                return None  # no challenge: the server does not ask for credentials here
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        scheme, _, rest = challenge.partition(" ")
        user, password = self.passwords.find_user_password(None, request.full_url)
        if scheme.lower() == "digest":
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
            digest = urllib.request.HTTPDigestAuthHandler(self.passwords)
            make = lambda r: f"Digest {digest.get_authorization(r, fields)}"  # noqa: E731
        elif scheme.lower() == "basic" and user is not None:
            make = lambda r: "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")  # noqa: E731
        else:
            return None
        # the credentials are tried on another HEAD first: refused ones must fail before the body is sent
        probe = urllib.request.Request(request.full_url, method="HEAD")
        probe.add_unredirected_header("Authorization", make(probe))
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                pass
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise InputError(
                    f"{request.full_url.split('?')[0]}: HTTP {exc.code}: the credentials were refused"
                ) from None
        return make(request)


def first_line(body: str) -> str:
    """The message of an error page: HTML tags dropped, the first non-empty lines, shortened."""
    text = re.sub(r"<(title|h1)>.*?</\1>", " ", body, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", text)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    message = " ".join(lines[:3])
    return message[:300] + ("..." if len(message) > 300 else "")


def media_type(headers: Any) -> str:
    return (headers.get("Content-Type") or "").split(";")[0].strip().lower()
