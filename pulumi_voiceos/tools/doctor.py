"""``voiceos-pulumi doctor``: a read-only check that the configured API and token serve the provider.

It resolves the settings the provider resolves (VOICEOS_API_URL, VOICEOS_API_TOKEN...), then checks
reachability, the token, one page of the listing and the next, one GET, latency and rate-limit
headers, and counts the numbers whose live binding no program can declare. It only ever sends GETs,
prints one line per check and a verdict, and exits 1 naming the reason when the provider could not
work. Nothing secret is printed: not the token, carrier tokens or any header value.
"""

from __future__ import annotations

import json
import os
import random
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from urllib.parse import quote

import httpx
import pydantic

from .._version import __version__
from ..core.config import Settings, resolve_settings
from ..core.models import MAX_PAGE_SIZE, PhoneNumberPage, undeclarable_reason
from ..errors import ConfigurationError, MissingTokenError, VoiceOSError

__all__ = ["Check", "DoctorReport", "diagnose", "run"]

Status = Literal["ok", "note", "FAIL"]

RATE_LIMIT_HEADERS: Final = (
    "Retry-After",
    "RateLimit",
    "RateLimit-Policy",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
)
"""The rate-limit headers doctor reports (names only, and values only when they are plain numbers)."""

SHOWN_UNDECLARABLE: Final = 20
"""How many undeclarable numbers the census names; it counts all of them."""

_NUMERIC = frozenset("0123456789.")
_REASON_FIELD = re.compile(r"(?:^|; )((?:inbound_agent_id|webhooks)[^\s:]*): ")


@dataclass(frozen=True)
class Check:
    """One line of the report: what was checked, how it went, and what was found."""

    name: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        return [f"{self.status:<4} {self.name}: {self.summary}", *(f"       {line}" for line in self.details)]


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def failure(self) -> Check | None:
        return next((c for c in self.checks if c.status == "FAIL"), None)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def verdict(self) -> str:
        failure = self.failure
        if failure is None:
            return "verdict: ready, everything the provider needs works"
        return f"verdict: not ready, the {failure.name} check failed (above); the provider cannot work until it passes"


@dataclass(frozen=True)
class _Exchange:
    method: str
    path: str
    status: int
    seconds: float
    rate_limit: Mapping[str, str]


class _Recorder(httpx.BaseTransport):
    """Wraps the real transport, noting each answer's status, time to headers and rate-limit headers."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport(verify=True)
        self.exchanges: list[_Exchange] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        response = self._inner.handle_request(request)
        seconds = time.perf_counter() - started
        headers = {name: response.headers[name] for name in RATE_LIMIT_HEADERS if name in response.headers}
        self.exchanges.append(_Exchange(request.method, request.url.path, response.status_code, seconds, headers))
        return response

    def close(self) -> None:
        """Closing one client over it leaves it open for the next; ``shutdown`` closes it."""

    def shutdown(self) -> None:
        self._inner.close()


class _Stop(Exception):
    """A check failed and the ones after it cannot run."""


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else _ms(seconds)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class _Doctor:
    def __init__(
        self, settings: Settings, page_size: int, report: DoctorReport, on_check: Callable[[Check], None]
    ) -> None:
        self.settings = settings
        self.page_size = page_size
        self.report = report
        self._reached = False
        self._on_check = on_check
        self.recorder = _Recorder()
        # The client's own headers and timeouts (client.py), over a transport that notes every answer.
        self.http = httpx.Client(
            base_url=settings.api_url,
            headers={
                "Authorization": f"Bearer {settings.api_token}",
                "User-Agent": f"pulumi-voiceos/{__version__} doctor httpx/{httpx.__version__}",
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout),
            transport=self.recorder,
            follow_redirects=False,
        )

    def add(self, name: str, status: Status, summary: str, details: tuple[str, ...] = ()) -> None:
        check = Check(name, status, summary, details)
        self.report.checks.append(check)
        self._on_check(check)

    def fail(self, name: str, summary: str) -> _Stop:
        self.add(name, "FAIL", summary)
        return _Stop()

    # -- requests -------------------------------------------------------------

    def get(self, what: str, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        """A GET, retried as the client retries 429 and 5xx (honouring Retry-After, within the same budget)."""
        started = time.monotonic()
        for attempt in range(1, self.settings.max_attempts + 1):
            try:
                response = self.http.get(path, params=dict(params or {}))
            except httpx.TimeoutException:
                raise self.fail(
                    "reach",
                    f"{what}: no answer from {self.settings.api_url} within {self.settings.request_timeout:g} s; "
                    "check VOICEOS_API_URL and the network (or raise VOICEOS_REQUEST_TIMEOUT)",
                ) from None
            except httpx.TransportError as exc:
                raise self.fail(
                    "reach",
                    f"{what}: cannot reach {self.settings.api_url} ({type(exc).__name__}: {exc}); "
                    "check VOICEOS_API_URL, DNS and the network",
                ) from None
            if response.status_code != 429 and response.status_code < 500:
                return response
            retry_after = response.headers.get("Retry-After", "")
            delay = float(retry_after) if retry_after.replace(".", "", 1).isdigit() else None
            if delay is None:
                ceiling = min(self.settings.retry_max_delay, self.settings.retry_base_delay * 2.0 ** (attempt - 1))
                delay = ceiling / 2 + random.uniform(0, ceiling / 2)
            out_of_time = time.monotonic() - started + delay > self.settings.max_retry_seconds
            if attempt == self.settings.max_attempts or out_of_time:
                return response
            time.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    def page(self, index: int, name: str) -> tuple[PhoneNumberPage, dict[str, Any]]:
        """One page of the listing, parsed leniently; a page that cannot be read fails ``name``."""
        what = f"GET /phone_numbers?index={index}&limit={self.page_size}"
        response = self.get(what, "/phone_numbers", {"index": index, "limit": self.page_size})
        if not self._reached:
            self._reached = True
            self.add("reach", "ok", f"{self.settings.api_url} answered in {_ms(self.recorder.exchanges[-1].seconds)}")
            if response.status_code in (401, 403):
                raise self.fail(
                    "authentication",
                    f"the API refused the token ({response.status_code} {response.reason_phrase}); check "
                    "VOICEOS_API_TOKEN (or voiceos:apiToken) and that it belongs to the account",
                )
            self.add("authentication", "ok", "the token is accepted")
        if 300 <= response.status_code < 400:
            raise self.fail(
                name,
                f"{what} answered {response.status_code}, a redirect (to {response.headers.get('Location', '?')}); "
                "set VOICEOS_API_URL to the API's own address",
            )
        if response.status_code != 200:
            said = _short_detail(response)
            raise self.fail(name, f"{what} answered {response.status_code} {response.reason_phrase}{said}")
        try:
            raw = response.json()
        except ValueError:
            kind = response.headers.get("Content-Type", "no content type")
            raise self.fail(
                name,
                f"{what} answered 200 with a body that is not JSON ({kind}); is VOICEOS_API_URL the VoiceOS API?",
            ) from None
        try:
            parsed = PhoneNumberPage.model_validate(raw)
        except pydantic.ValidationError as exc:
            raise self.fail(name, f"{what}: the page cannot be read: {_problems(exc)}") from None
        return parsed, raw if isinstance(raw, dict) else {}

    # -- the checks -----------------------------------------------------------

    def run(self, census: bool) -> None:
        try:
            first, raw = self.page(0, "listing")
            self.check_listing(first, raw)
            self.check_paging(first)
            self.check_get(first)
            if census:
                self.check_census()
            self.check_latency()
            self.check_rate_limits()
        except _Stop:
            pass

    def check_listing(self, first: PhoneNumberPage, raw: Mapping[str, Any]) -> None:
        remarks = []
        if not isinstance(raw.get("items"), list):
            remarks.append(f"'items' is {json.dumps(raw.get('items'))[:40]}, not a list")
        if raw.get("index") != 0:
            remarks.append(f"'index' is {json.dumps(raw.get('index'))[:40]}, not the 0 asked for")
        if not isinstance(raw.get("has_more"), bool):
            remarks.append(f"'has_more' is {json.dumps(raw.get('has_more'))[:40]}, not true or false")
        if len(first.items) > self.page_size:
            remarks.append(f"{len(first.items)} items for limit={self.page_size}")
        summary = (
            f"page 1 holds {_plural(len(first.items), 'number')} (index 0, limit {self.page_size}, "
            f"has_more {str(first.has_more).lower()})"
        )
        if remarks:
            self.add("listing", "note", summary + "; not as the contract says: " + "; ".join(remarks))
        else:
            self.add("listing", "ok", summary)

    def check_paging(self, first: PhoneNumberPage) -> None:
        if not first.has_more:
            self.add("paging", "ok", "one page holds the whole listing (has_more false), so there is no page 2 to read")
            return
        if not first.items:
            raise self.fail(
                "paging", "page 1 is empty but says has_more true; the provider stops listing at an empty page"
            )
        index = len(first.items)
        second, raw = self.page(index, "paging")
        if raw.get("index") not in (index, None):
            raise self.fail(
                "paging", f"page 2 was asked for at index {index} but answers index {json.dumps(raw.get('index'))}"
            )
        overlap = {n.phone_number for n in first.items} & {n.phone_number for n in second.items}
        summary = f"page 2 at index {index} holds {_plural(len(second.items), 'number')}"
        if overlap:
            self.add(
                "paging",
                "note",
                f"{summary}, {len(overlap)} of them also on page 1 (numbers added while paging shift pages; "
                "if the account did not change, the API ignores index)",
            )
        else:
            self.add("paging", "ok", f"{summary} (has_more {str(second.has_more).lower()})")

    def check_get(self, first: PhoneNumberPage) -> None:
        from ..api.client import VoiceOSClient

        if not first.items:
            self.add("get", "note", "the account lists no numbers, so there is none to read; add one to check GET")
            return
        number = first.items[0].phone_number
        started = time.perf_counter()
        with VoiceOSClient(self.settings, transport=self.recorder) as client:
            try:
                found = client.get_phone_number(number)
            except VoiceOSError as exc:
                raise self.fail("get", f"{number} is listed but could not be read: {_first_line(exc)}") from None
        seconds = time.perf_counter() - started
        if found.phone_number != number:
            raise self.fail("get", f"GET /phone_numbers/{number} answered another number, {found.phone_number}")
        self.add("get", "ok", f"GET /phone_numbers/{quote(number, safe='')} read {number} in {_ms(seconds)}")

    def check_census(self) -> None:
        from ..api.client import VoiceOSClient

        started = time.perf_counter()
        listed = unbound = 0
        undeclarable: dict[str, str] = {}
        with VoiceOSClient(self.settings, transport=self.recorder) as client:
            try:
                for number in client.list_phone_numbers(page_size=self.page_size):
                    listed += 1
                    binding = number.binding()
                    if binding.is_unbound:
                        unbound += 1
                    elif (why := undeclarable_reason(binding)) is not None:
                        undeclarable[number.phone_number] = why
            except VoiceOSError as exc:
                raise self.fail("census", f"the whole listing could not be read: {_first_line(exc)}") from None
        seconds = time.perf_counter() - started
        declarable = listed - unbound - len(undeclarable)
        summary = (
            f"{_plural(listed, 'number')} listed in {_duration(seconds)}: {declarable} bound as a program can declare, "
            f"{unbound} unbound, {len(undeclarable)} whose live binding no program can declare"
        )
        if not undeclarable:
            self.add("census", "ok", summary)
            return
        shown = sorted(undeclarable.items())[:SHOWN_UNDECLARABLE]
        details = [f"{number}: {why}" for number, why in shown]
        if len(undeclarable) > len(shown):
            details.append(f"... and {len(undeclarable) - len(shown)} more")
        fields = Counter(name for why in undeclarable.values() for name in _fields_named(why))
        details.append("numbers by field: " + ", ".join(f"{name} {count}" for name, count in sorted(fields.items())))
        details.append(
            "the provider reads them; adopt skips them; a binding takes one over only with allow_overwrite=True"
        )
        self.add("census", "note", summary, tuple(details))

    def check_latency(self) -> None:
        answered = [e.seconds for e in self.recorder.exchanges]
        slowest = max(self.recorder.exchanges, key=lambda e: e.seconds)
        summary = (
            f"{_plural(len(answered), 'request')}: median {_ms(statistics.median(answered))}, "
            f"slowest {_ms(slowest.seconds)} ({slowest.method} {slowest.path})"
        )
        if slowest.seconds > self.settings.request_timeout / 2:
            self.add(
                "latency",
                "note",
                f"{summary}, over half of the {self.settings.request_timeout:g} s timeout; "
                "consider raising VOICEOS_REQUEST_TIMEOUT (voiceos:requestTimeout)",
            )
        else:
            self.add("latency", "ok", summary)

    def check_rate_limits(self) -> None:
        exchanges = self.recorder.exchanges
        refused = [e for e in exchanges if e.status == 429]
        latest: dict[str, str] = {}
        for exchange in exchanges:
            latest.update(exchange.rate_limit)
        # In the order of RATE_LIMIT_HEADERS, whichever answer showed each first: the line reads the same every run.
        shown = ", ".join(f"{name} {_safe_value(latest[name])}" for name in RATE_LIMIT_HEADERS if name in latest)
        none = f"no rate-limit headers in {_plural(len(exchanges), 'answer')}"
        parts = [f"headers seen: {shown}" if latest else none]
        if refused:
            parts.append(f"{_plural(len(refused), 'answer')} 429 (rate limited), retried as the provider retries")
        else:
            parts.append("no 429")
        self.add("rate limits", "note" if refused else "ok", "; ".join(parts))


def _safe_value(value: str) -> str:
    """A rate-limit header's value if it is a plain number; anything else is not repeated."""
    stripped = value.strip()
    return stripped if stripped and len(stripped) <= 20 and set(stripped) <= _NUMERIC else "(not a plain number)"


def _fields_named(why: str) -> set[str]:
    """The fields an undeclarable reason names, without indexes or header names: ``webhooks[].method``."""
    fields = set()
    for path in _REASON_FIELD.findall(why):
        general = re.sub(r"\[\d+\]", "[]", path)
        fields.add(re.sub(r"(\.headers)\..*|\[\]$", r"\1", general))
    return fields or {"webhooks"}


def _short_detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    detail = body.get("detail") if isinstance(body, dict) else None
    if isinstance(detail, str):
        return f" ({detail[:200]})"
    if isinstance(detail, list):
        return f" ({_plural(len(detail), 'validation error')})"
    return ""


def _problems(exc: pydantic.ValidationError) -> str:
    from ..errors import property_path

    found = exc.errors(include_input=False, include_url=False)
    listed = "; ".join(f"{property_path(e['loc'])}: {e['msg']}" for e in found[:5])
    return listed + (f"; and {len(found) - 5} more" if len(found) > 5 else "")


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def diagnose(
    environ: Mapping[str, str] | None = None,
    *,
    page_size: int = MAX_PAGE_SIZE,
    census: bool = True,
    on_check: Callable[[Check], None] = lambda check: None,
) -> DoctorReport:
    """Run every check against the API the settings in ``environ`` name; see the module docstring."""
    env = os.environ if environ is None else environ
    report = DoctorReport()
    try:
        settings = resolve_settings({}, env)
    except ConfigurationError as exc:
        message = str(exc)
        if isinstance(exc, MissingTokenError):
            message = "no API token: export VOICEOS_API_TOKEN=<token> (it is never a command-line flag)"
        check = Check("settings", "FAIL", message)
        report.checks.append(check)
        on_check(check)
        return report
    source = "VOICEOS_API_URL" if env.get("VOICEOS_API_URL") else "the default"
    settings_check = Check(
        "settings", "ok", f"API {settings.api_url} (from {source}), token from VOICEOS_API_TOKEN (not shown)"
    )
    report.checks.append(settings_check)
    on_check(settings_check)
    doctor = _Doctor(settings, page_size, report, on_check)
    try:
        doctor.run(census)
    finally:
        doctor.http.close()
        doctor.recorder.shutdown()
    return report


def run(
    page_size: int, census: bool, print_line: Callable[[str], None], environ: Mapping[str, str] | None = None
) -> int:
    """The command: each check's lines as it finishes, then the verdict; 0 when ready, 1 otherwise."""
    env = os.environ if environ is None else environ
    secrets = _Redactor(env.get("VOICEOS_API_TOKEN", ""))

    def show(check: Check) -> None:
        for line in check.lines():
            print_line(secrets.scrub(line))

    report = diagnose(env, page_size=page_size, census=census, on_check=show)
    print_line(secrets.scrub(report.verdict()))
    return 0 if report.ok else 1


class _Redactor:
    """A last guard: should any message ever echo the token, it is masked before it is printed."""

    def __init__(self, token: str) -> None:
        self.token = token.strip()

    def scrub(self, line: str) -> str:
        return line.replace(self.token, "***") if len(self.token) >= 4 else line
