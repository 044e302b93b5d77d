"""Fetch a provider's URL without letting that URL reach into our own network.

Feed URLs come from providers, and redirects come from whoever runs their servers,
so a fetch is a request made on a stranger's behalf from inside our network
(server-side request forgery). Every importer fetches through `fetch`, which keeps
the rules in one place:

* http and https only, and no ``user:password@`` in the URL;
* the host name is resolved once, and every address it resolves to must be public:
  no loopback, private, shared (100.64/10), link-local, multicast, reserved or
  unspecified address, nor one of those inside an IPv6 form (``::ffff:10.0.0.1``,
  6to4). Cloud metadata endpoints are refused always, even when private addresses
  are allowed for development;
* the connection goes to the address that was checked, not to whatever a second
  DNS answer says (DNS rebinding), while TLS still verifies the certificate for
  the host name in the URL;
* redirects are followed by hand, and every hop is checked from scratch;
* one wall-clock deadline covers the whole fetch (DNS, connecting, every redirect,
  the body), and the decoded body is capped, so neither a slow-drip server nor a
  zip bomb can hold a worker.

A response is returned whatever its status: the RPDE harvester needs 429 and 503
with their Retry-After, and 404 or 410. Whatever stops a fetch raises a
`FetchError` whose message can go straight into a feed's error report.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from http.client import HTTPException
from types import MappingProxyType, TracebackType
from typing import Final, TypeAlias
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    NewConnectionError,
    ProtocolError,
)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.ssl_match_hostname import CertificateError

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_MAX_BYTES: Final = 20 * 1024 * 1024
DEFAULT_TIMEOUT: Final = 30.0
DEFAULT_CONNECT_TIMEOUT: Final = 10.0
DEFAULT_READ_TIMEOUT: Final = 20.0
DEFAULT_MAX_REDIRECTS: Final = 5
USER_AGENT: Final = "ourlondon-harvester/1.0 (+https://ourlondon.example/about)"

# Refused whatever `allow_private` says: a development box pointed at a local
# server must still never hand out cloud credentials. AWS, Azure, GCP and
# DigitalOcean use 169.254.169.254; AWS also fd00:ec2::254; Alibaba 100.100.100.200.
_METADATA_ADDRESSES: Final = frozenset(
    ipaddress.ip_address(text)
    for text in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
)
_METADATA_HOSTS: Final = frozenset(
    {"metadata.google.internal", "metadata.goog", "metadata"}
)

# What `allow_private` opens up: the networks a developer's or a test's own
# servers live on. Link-local, multicast, unspecified and reserved addresses stay
# refused even then: no feed is ever served from them, and 0.0.0.0 means "this
# host" to Linux.
_PRIVATE_NETWORKS: Final = tuple(
    ipaddress.ip_network(text)
    for text in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "::1/128",
        "fc00::/7",
    )
)

_SCHEMES: Final = {"http": 80, "https": 443}
_REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# Credentials meant for one origin must not follow a redirect to another (the same
# list urllib3's own redirect handling strips).
_CREDENTIAL_HEADERS: Final = frozenset(
    {"authorization", "cookie", "proxy-authorization"}
)
# Set by `fetch` itself, per hop; a caller's value would contradict ours.
_RESERVED_HEADERS: Final = frozenset(
    {"host", "accept-encoding", "connection", "content-length", "transfer-encoding"}
)
_CHUNK_BYTES: Final = 64 * 1024
_HOST_RE: Final = re.compile(
    r"(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*"
    r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?"
)
# RFC 3986 characters that may stand unescaped in a path or a query; "%" is kept
# so that a URL that is already escaped is not escaped twice.
_PATH_SAFE: Final = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE: Final = _PATH_SAFE + "?"


class FetchError(Exception):
    """A fetch that produced no response; `str()` is fit for a feed's error report."""


class UnsafeURL(FetchError):
    """The URL, a redirect, or an address the host resolves to may not be fetched."""


class FetchFailed(FetchError):
    """The network failed us: DNS, a refused connection, TLS, a broken response."""


class FetchTimeout(FetchError):
    """The fetch did not finish within its connect, read or total time limit."""


class TooManyRedirects(FetchError):
    """The server redirected more times than the caller allowed."""


class ResponseTooLarge(FetchError):
    """The body, once decompressed, is bigger than the caller allowed."""


@dataclass(frozen=True)
class FetchResult:
    """The server's answer, whatever its status.

    `headers` has lower-case names, repeated headers joined with ", ". `url` is
    where the body came from after redirects, normalised (no fragment, default
    port dropped), so relative links in the body resolve against it.
    """

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class _Target:
    """A URL taken apart into exactly what is checked and then sent."""

    scheme: str
    host: str  # lower-case ASCII: a DNS name without a trailing dot, or an address
    port: int
    request_target: str  # path and query, escaped

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port == _SCHEMES[self.scheme]:
            return host
        return f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.authority}{self.request_target}"

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)


class _Deadline:
    """The wall-clock budget of one fetch, shared by every hop."""

    def __init__(self, seconds: float, url: str) -> None:
        self._seconds = seconds
        self._url = url
        self._expires = time.monotonic() + seconds

    def remaining(self) -> float:
        """Seconds left; raises `FetchTimeout` once there are none."""
        left = self._expires - time.monotonic()
        if left <= 0:
            raise self.expired()
        return left

    def expired(self) -> FetchTimeout:
        return FetchTimeout(
            f"Fetching {self._url} took longer than the {self._seconds:g} s allowed."
        )


class _Watchdog:
    """Shuts a connection's socket when the deadline passes, wherever it is blocked.

    Socket timeouts bound each read, not their sum: a server that drips a byte a
    second, headers or body, never trips them. Shutting the socket from a timer
    thread wakes the blocked read, which then fails; `fired` tells that failure
    from a real one.
    """

    def __init__(self, connection: HTTPConnection, seconds: float) -> None:
        self._connection = connection
        self._lock = threading.Lock()
        self._finished = False
        self.fired = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # Under the lock, so the timer cannot shut a socket we are about to close
        # (and whose descriptor the system may already have reused).
        with self._lock:
            self._finished = True
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._finished:
                return
            self.fired = True
            sock = self._connection.sock
            if isinstance(sock, socket.socket):
                # The plain socket's shutdown, also for an SSLSocket: its own
                # shutdown would tear down TLS state under the reading thread.
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _shown(url: str) -> str:
    """`url` as it may appear in a message: printable and of bounded length."""
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in url)
    return text if len(text) <= 200 else text[:200] + "…"


def _parse(url: str) -> _Target:
    """Take `url` apart, refusing what we never fetch whatever it resolves to."""
    shown = _shown(url)
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL(f"“{shown}” is not a valid URL: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        given = f"“{scheme}:” URLs" if scheme else "URLs without a scheme"
        raise UnsafeURL(
            f"Only http and https URLs can be fetched, not {given} ({shown})."
        )
    if "@" in parts.netloc:
        raise UnsafeURL(
            f"URLs with a user name or password (user:pass@host) are not fetched: "
            f"{shown}. Credentials for a feed go in its request headers."
        )
    host = _normalise_host(parts.hostname or "", shown)
    path = quote(parts.path or "/", safe=_PATH_SAFE)
    if not path.startswith("/"):
        path = "/" + path
    if parts.query:
        path += "?" + quote(parts.query, safe=_QUERY_SAFE)
    return _Target(
        scheme=scheme,
        host=host,
        port=_SCHEMES[scheme] if port is None else port,
        request_target=path,
    )


def _normalise_host(hostname: str, shown: str) -> str:
    """The host as lower-case ASCII: an IPv6 address, or a name (IDNA-encoded)."""
    if not hostname:
        raise UnsafeURL(f"“{shown}” has no host name.")
    if ":" in hostname:  # urlsplit has already removed the brackets
        try:
            address = ipaddress.IPv6Address(hostname)
        except ValueError as exc:
            raise UnsafeURL(f"“{shown}” has an invalid IPv6 address.") from exc
        if address.scope_id:
            raise UnsafeURL(f"“{shown}” names an IPv6 zone, which is never fetched.")
        return str(address)
    try:
        ascii_host = hostname.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise UnsafeURL(f"“{shown}” has an invalid host name.") from exc
    if len(ascii_host) > 253 or not _HOST_RE.fullmatch(ascii_host):
        raise UnsafeURL(f"“{shown}” has an invalid host name.")
    return ascii_host


def _literal_address(host: str) -> IPAddress | None:
    """The address `host` spells out in canonical form, if it is one."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _refusal(address: IPAddress, *, allow_private: bool) -> str | None:
    """Why `address` may not be fetched from, or None if it may."""
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    if isinstance(address, ipaddress.IPv6Address):
        mapped = address.ipv4_mapped
        if mapped is not None:
            reason = _refusal(mapped, allow_private=allow_private)
            return None if reason is None else f"{mapped} in IPv6 form, {reason}"
        # 6to4 reaches the IPv4 address it embeds through a relay, which is no
        # reason to let it reach a private one.
        embedded = address.sixtofour
        if embedded is not None:
            reason = _refusal(embedded, allow_private=False)
            if reason is not None:
                return f"a 6to4 address embedding {embedded}, {reason}"
    if address.is_unspecified:
        return "the unspecified address, which means this machine"
    if address.is_multicast:
        return "a multicast address"
    if address.is_link_local:
        return "a link-local address"
    if any(address in network for network in _PRIVATE_NETWORKS):
        if allow_private:
            return None
        return "a loopback address" if address.is_loopback else "a private address"
    # Python 3.11 counts multicast as global, hence the explicit checks above.
    if address.is_reserved or not address.is_global:
        return "a reserved or special-purpose address"
    return None


def _lookup(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, in the resolver's order, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError) as exc:
        # gaierror (no such name, resolver down) is an OSError.
        raise FetchFailed(f"Could not resolve {host}: {exc}.") from exc
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canonname, sockaddr in infos:
        try:
            address = ipaddress.ip_address(sockaddr[0])
        except (ValueError, IndexError, TypeError):
            continue  # not an IP family (getaddrinfo asked for none)
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchFailed(f"Could not resolve {host}: no IPv4 or IPv6 address.")
    return addresses


def _resolve(host: str, port: int, *, deadline: _Deadline | None) -> list[IPAddress]:
    """`_lookup`, given up on when the deadline passes.

    getaddrinfo cannot be interrupted and the system resolver's own timeouts can
    add up to longer than a fetch's budget, so it runs in a daemon thread that is
    left to finish on its own if it is too slow.
    """
    if deadline is None:
        return _lookup(host, port)
    outcome: Future[list[IPAddress]] = Future()

    def run() -> None:
        try:
            outcome.set_result(_lookup(host, port))
        except Exception as exc:  # handed to the waiting thread, which re-raises it
            outcome.set_exception(exc)

    threading.Thread(target=run, name=f"resolve {host}", daemon=True).start()
    try:
        return outcome.result(timeout=deadline.remaining())
    except TimeoutError:
        raise deadline.expired() from None


def _checked_addresses(
    target: _Target, *, allow_private: bool, deadline: _Deadline | None
) -> list[IPAddress]:
    """The addresses to connect to for `target`, every one of them allowed."""
    if target.host in _METADATA_HOSTS:
        raise UnsafeURL(
            f"{target.host} is a cloud metadata service; it is never fetched."
        )
    literal = _literal_address(target.host)
    if literal is not None:
        reason = _refusal(literal, allow_private=allow_private)
        if reason is not None:
            raise UnsafeURL(f"{target.url} is refused: {literal} is {reason}.")
        return [literal]
    addresses = _resolve(target.host, target.port, deadline=deadline)
    # Every address, not just the first: which one a client ends up using is not
    # ours to predict, and one private answer among public ones is an attack.
    for address in addresses:
        reason = _refusal(address, allow_private=allow_private)
        if reason is not None:
            raise UnsafeURL(
                f"{target.url} is refused: {target.host} resolves to {address}, "
                f"{reason}. Only public addresses are fetched."
            )
    return addresses


def _private_allowed(allow_private: bool) -> bool:
    return allow_private or bool(getattr(settings, "SAFE_FETCH_ALLOW_PRIVATE", False))


def check_url(url: str, *, allow_private: bool = False) -> list[IPAddress]:
    """Check `url` as `fetch` would and return the addresses it would connect to.

    For validating a URL when it is entered (a provider's feed URL in a form);
    the result is only a snapshot, and `fetch` checks again each time. Raises
    `UnsafeURL`, or `FetchFailed` when the host does not resolve. Private
    addresses pass with `allow_private` or the SAFE_FETCH_ALLOW_PRIVATE setting.
    """
    target = _parse(url)
    return _checked_addresses(
        target, allow_private=_private_allowed(allow_private), deadline=None
    )


def _request_headers(extra: Mapping[str, str] | None) -> dict[str, str]:
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    for name, value in (extra or {}).items():
        lowered = name.lower()
        if lowered in _RESERVED_HEADERS:
            raise ValueError(f"fetch sets the {name} header itself.")
        for existing in [key for key in headers if key.lower() == lowered]:
            del headers[existing]
        headers[name] = value
    # One request per connection: the next hop may be another address entirely.
    headers["Connection"] = "close"
    return headers


def _transport_error(exc: BaseException, target: _Target) -> FetchError:
    """A readable `FetchError` for what urllib3, http.client or the OS raised."""
    where = target.url
    if isinstance(exc, NewConnectionError):
        reason = exc.__cause__ or exc
        return FetchFailed(f"Could not connect to {where}: {reason}.")
    if isinstance(exc, ConnectTimeoutError):
        return FetchTimeout(f"Connecting to {where} timed out.")
    if isinstance(exc, Urllib3Timeout | TimeoutError):
        return FetchTimeout(f"{where} stopped sending data (read timed out).")
    if isinstance(exc, ssl.SSLCertVerificationError | CertificateError):
        return FetchFailed(f"The TLS certificate of {where} is not valid: {exc}.")
    if isinstance(exc, ssl.SSLError):
        return FetchFailed(f"TLS with {where} failed: {exc}.")
    if isinstance(exc, DecodeError):
        return FetchFailed(f"The compressed body from {where} is corrupt: {exc}.")
    if isinstance(exc, ProtocolError | HTTPException):
        return FetchFailed(f"{where} sent a broken HTTP response: {exc!r}.")
    return FetchFailed(f"Fetching {where} failed: {exc}.")


_TRANSPORT_ERRORS: Final = (OSError, HTTPException, Urllib3Error, CertificateError)


def _connection(target: _Target, address: IPAddress, timeout: float) -> HTTPConnection:
    """A connection to the checked `address` that speaks to `target.host`.

    The connection is made to the address itself, so nothing resolves the name a
    second time. For https the name goes in as `server_hostname`: it is sent as
    SNI and, with urllib3's default context (CERT_REQUIRED, check_hostname on,
    the system's CA store), OpenSSL verifies the certificate against that name
    during the handshake, exactly as if we had connected by name. `assert_hostname`
    stays unset on purpose: setting it makes urllib3 switch OpenSSL's check off
    and match the name in Python instead, which checks the same thing less
    directly.
    """
    if target.scheme == "https":
        return HTTPSConnection(
            str(address),
            target.port,
            timeout=timeout,
            server_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return HTTPConnection(str(address), target.port, timeout=timeout)


def _exchange(
    target: _Target,
    addresses: list[IPAddress],
    headers: Mapping[str, str],
    *,
    deadline: _Deadline,
    connect_timeout: float,
    read_timeout: float,
    max_bytes: int,
) -> FetchResult:
    """One GET to one hop, trying its checked addresses in order until one connects."""
    failure: FetchError | None = None
    for address in addresses:
        connection = _connection(
            target, address, timeout=min(connect_timeout, deadline.remaining())
        )
        try:
            with _Watchdog(connection, deadline.remaining()) as watchdog:
                try:
                    connection.connect()
                except _TRANSPORT_ERRORS as exc:
                    if watchdog.fired:
                        raise deadline.expired() from exc
                    failure = _transport_error(exc, target)
                    # Only a failure to reach this address moves on to the next;
                    # a TLS failure would be the same on every one of them.
                    if isinstance(exc, NewConnectionError | ConnectTimeoutError):
                        continue
                    raise failure from exc
                try:
                    result = _converse(
                        connection,
                        target,
                        headers,
                        deadline=deadline,
                        read_timeout=read_timeout,
                        max_bytes=max_bytes,
                    )
                except _TRANSPORT_ERRORS as exc:
                    if watchdog.fired:
                        raise deadline.expired() from exc
                    raise _transport_error(exc, target) from exc
                # A shut socket reads as a clean end of file, which can end a
                # header block or an unsized body and pass for a whole response.
                if watchdog.fired:
                    raise deadline.expired()
                return result
        finally:
            connection.close()
    raise failure or FetchFailed(f"{target.host} has no address to connect to.")


def _converse(
    connection: HTTPConnection,
    target: _Target,
    headers: Mapping[str, str],
    *,
    deadline: _Deadline,
    read_timeout: float,
    max_bytes: int,
) -> FetchResult:
    """Send the request on an open connection and read the capped response."""
    # urllib3 applies `timeout` to the socket before sending and before reading.
    connection.timeout = min(read_timeout, deadline.remaining())
    connection.request(
        "GET",
        target.request_target,
        headers={**headers, "Host": target.authority},
        preload_content=False,
        decode_content=True,
    )
    response = connection.getresponse()
    response_headers = MappingProxyType(
        {name.lower(): value for name, value in response.headers.itermerged()}
    )
    result = FetchResult(
        url=target.url, status=response.status, headers=response_headers, body=b""
    )
    if response.status in _REDIRECT_STATUSES and "location" in response_headers:
        return result  # the body of a redirect is never read
    declared = response_headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"{target.url} announced {int(declared):,} bytes; "
            f"the limit is {max_bytes:,}."
        )
    body = bytearray()
    # Counted after decompression, so a small gzip bomb is cut off like a big body;
    # urllib3 decompresses at most a chunk's worth at a time.
    for chunk in response.stream(_CHUNK_BYTES, decode_content=True):
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLarge(
                f"{target.url} sent more than {max_bytes:,} bytes (decompressed); "
                "stopped reading."
            )
        deadline.remaining()
    return FetchResult(
        url=result.url, status=result.status, headers=result.headers, body=bytes(body)
    )


def fetch(
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = DEFAULT_TIMEOUT,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    max_redirects: int = DEFAULT_MAX_REDIRECTS,
    allow_private: bool = False,
) -> FetchResult:
    """GET `url`, following redirects; return the final response whatever its status.

    `headers` are added to every request (Accept, an API key); an Authorization
    or Cookie header is dropped when a redirect leaves the original origin. Host,
    Accept-Encoding and the framing headers are ours (ValueError otherwise).
    `timeout` bounds the whole fetch; `connect_timeout` and `read_timeout` bound
    each connection attempt and each wait for data. `max_bytes` caps the body
    after decompression. Only GET is ever sent, so a 301, 302 or 303 needs no
    change of method.

    Private addresses are refused unless `allow_private` or the
    SAFE_FETCH_ALLOW_PRIVATE setting is true; cloud metadata never passes.
    Raises `UnsafeURL`, `FetchFailed`, `FetchTimeout`, `TooManyRedirects` or
    `ResponseTooLarge`, all of them `FetchError`.
    """
    private_ok = _private_allowed(allow_private)
    deadline = _Deadline(timeout, _shown(url))
    request_headers = _request_headers(headers)
    target = _parse(url)
    redirected_from: _Target | None = None
    redirects = 0
    while True:
        try:
            addresses = _checked_addresses(
                target, allow_private=private_ok, deadline=deadline
            )
        except UnsafeURL as exc:
            if redirected_from is None:
                raise
            raise UnsafeURL(
                f"{redirected_from.url} redirected to a URL that is refused: {exc}"
            ) from exc
        result = _exchange(
            target,
            addresses,
            request_headers,
            deadline=deadline,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_bytes=max_bytes,
        )
        location = result.headers.get("location")
        if result.status not in _REDIRECT_STATUSES or location is None:
            return result
        if redirects >= max_redirects:
            raise TooManyRedirects(
                f"{_shown(url)} redirected more than {max_redirects} times "
                f"(the last hop, {target.url}, to {_shown(location)})."
            )
        redirects += 1
        try:
            next_target = _parse(urljoin(target.url, location.strip()))
        except UnsafeURL as exc:
            raise UnsafeURL(
                f"{target.url} redirected to a URL that is refused: {exc}"
            ) from exc
        if next_target.origin != target.origin:
            request_headers = {
                name: value
                for name, value in request_headers.items()
                if name.lower() not in _CREDENTIAL_HEADERS
            }
        redirected_from, target = target, next_target
