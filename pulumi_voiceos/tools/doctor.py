"""``voiceos-pulumi doctor``: a read-only check that the configured API and token serve the provider.

It sends only GETs, through the provider's own client, and prints no secret (doctor_report.py).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pydantic

from ..api.client import Attempt, VoiceOSClient
from ..core.config import Settings, resolve_settings
from ..core.models import MAX_PAGE_SIZE, PhoneNumberPage, undeclarable_reason
from ..errors import APIError, ConfigurationError, MissingTokenError, RequestTimeoutError, TransportError, VoiceOSError
from .doctor_report import (
    RATE_LIMIT_HEADERS,
    SHOWN_UNDECLARABLE,
    Check,
    DoctorReport,
    Redactor,
    Status,
    detail_text,
    duration,
    fields_named,
    first_line,
    ms,
    plural,
    problems,
    safe_value,
)
from .doctor_stack import StackConfig, read_stack_config, settings_check

__all__ = ["Check", "DoctorReport", "diagnose", "run"]


class _Stop(Exception):
    """A check failed and the ones after it cannot run."""


class _Doctor:
    def __init__(
        self, settings: Settings, page_size: int, report: DoctorReport, on_check: Callable[[Check], None]
    ) -> None:
        self.settings = settings
        self.page_size = page_size
        self.report = report
        self._reached = False
        self._on_check = on_check
        self.attempts: list[Attempt] = []
        self.client = VoiceOSClient(settings, on_attempt=self.attempts.append)

    @property
    def answers(self) -> list[Attempt]:
        """The tries the API answered, in order (a try that got no answer has no status or headers)."""
        return [a for a in self.attempts if a.response is not None]

    def add(self, name: str, status: Status, summary: str, details: tuple[str, ...] = ()) -> None:
        check = Check(name, status, summary, details)
        self.report.checks.append(check)
        self._on_check(check)

    def fail(self, name: str, summary: str) -> _Stop:
        self.add(name, "FAIL", summary)
        return _Stop()

    # -- the listing's pages, read raw --------------------------------------------

    def page(self, index: int, name: str) -> tuple[PhoneNumberPage, dict[str, Any]]:
        """One page of the listing, parsed leniently; a page that cannot be read fails ``name``."""
        what = f"GET /phone_numbers?index={index}&limit={self.page_size}"
        try:
            response = self.client.fetch_page(index, page_size=self.page_size)
        except TransportError as exc:
            raise self.unreachable(what, exc) from None
        except APIError as exc:
            self.answered(exc.status_code)
            raise self.fail(
                name, f"{what} answered {exc.status_code} {self.reason()}{detail_text(exc.detail)}"
            ) from None
        self.answered(response.status_code)
        if 300 <= response.status_code < 400:
            raise self.fail(
                name,
                f"{what} answered {response.status_code}, a redirect (to {response.headers.get('Location', '?')}); "
                "set VOICEOS_API_URL to the API's own address",
            )
        if response.status_code != 200:
            raise self.fail(name, f"{what} answered {response.status_code} {response.reason_phrase}")
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
            raise self.fail(name, f"{what}: the page cannot be read: {problems(exc)}") from None
        return parsed, raw if isinstance(raw, dict) else {}

    def answered(self, status: int) -> None:
        """The API answered: the first answer passes ``reach`` and says whether the token is accepted."""
        if self._reached:
            return
        self._reached = True
        self.add("reach", "ok", f"{self.settings.api_url} answered in {ms(self.answers[-1].seconds)}")
        if status in (401, 403):
            raise self.fail(
                "authentication",
                f"the API refused the token ({status} {self.reason()}); check "
                "VOICEOS_API_TOKEN (or voiceos:apiToken) and that it belongs to the account",
            )
        self.add("authentication", "ok", "the token is accepted")

    def reason(self) -> str:
        """The reason phrase of the last answer (``Service Unavailable``)."""
        last = self.answers[-1].response if self.answers else None
        return last.reason_phrase if last is not None else ""

    def unreachable(self, what: str, exc: TransportError) -> _Stop:
        tries = f"; {exc.attempts} attempts, as the provider retries" if exc.attempts > 1 else ""
        if isinstance(exc, RequestTimeoutError):
            return self.fail(
                "reach",
                f"{what}: no answer from {self.settings.api_url} within {self.settings.request_timeout:g} s{tries}; "
                "check VOICEOS_API_URL and the network (or raise VOICEOS_REQUEST_TIMEOUT)",
            )
        cause = next((a.error for a in reversed(self.attempts) if a.error is not None), None)
        said = f"{type(cause).__name__}: {cause}" if cause is not None else first_line(exc)
        return self.fail(
            "reach",
            f"{what}: cannot reach {self.settings.api_url} ({said}{tries}); check VOICEOS_API_URL, DNS and the network",
        )

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
            f"page 1 holds {plural(len(first.items), 'number')} (index 0, limit {self.page_size}, "
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
        summary = f"page 2 at index {index} holds {plural(len(second.items), 'number')}"
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
        if not first.items:
            self.add("get", "note", "the account lists no numbers, so there is none to read; add one to check GET")
            return
        number = first.items[0].phone_number
        started = time.perf_counter()
        try:
            found = self.client.get_phone_number(number)
        except VoiceOSError as exc:
            raise self.fail("get", f"{number} is listed but could not be read: {first_line(exc)}") from None
        seconds = time.perf_counter() - started
        if found.phone_number != number:
            raise self.fail("get", f"GET /phone_numbers/{number} answered another number, {found.phone_number}")
        self.add("get", "ok", f"GET /phone_numbers/{quote(number, safe='')} read {number} in {ms(seconds)}")

    def check_census(self) -> None:
        started = time.perf_counter()
        listed = unbound = 0
        undeclarable: dict[str, str] = {}
        try:
            for number in self.client.list_phone_numbers(page_size=self.page_size):
                listed += 1
                binding = number.binding()
                if binding.is_unbound:
                    unbound += 1
                elif (why := undeclarable_reason(binding)) is not None:
                    undeclarable[number.phone_number] = why
        except VoiceOSError as exc:
            raise self.fail("census", f"the whole listing could not be read: {first_line(exc)}") from None
        seconds = time.perf_counter() - started
        declarable = listed - unbound - len(undeclarable)
        summary = (
            f"{plural(listed, 'number')} listed in {duration(seconds)}: {declarable} bound as a program can declare, "
            f"{unbound} unbound, {len(undeclarable)} whose live binding no program can declare"
        )
        if not undeclarable:
            self.add("census", "ok", summary)
            return
        shown = sorted(undeclarable.items())[:SHOWN_UNDECLARABLE]
        details = [f"{number}: {why}" for number, why in shown]
        if len(undeclarable) > len(shown):
            details.append(f"... and {len(undeclarable) - len(shown)} more")
        fields = Counter(name for why in undeclarable.values() for name in fields_named(why))
        details.append("numbers by field: " + ", ".join(f"{name} {count}" for name, count in sorted(fields.items())))
        details.append(
            "the provider reads them; adopt skips them; a binding takes one over only with allow_overwrite=True"
        )
        self.add("census", "note", summary, tuple(details))

    def check_latency(self) -> None:
        answers = self.answers
        slowest = max(answers, key=lambda a: a.seconds)
        summary = (
            f"{plural(len(answers), 'request')}: median {ms(statistics.median(a.seconds for a in answers))}, "
            f"slowest {ms(slowest.seconds)} ({slowest.method} {slowest.path})"
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
        responses = [a.response for a in self.answers if a.response is not None]
        refused = [r for r in responses if r.status_code == 429]
        latest: dict[str, str] = {}
        for response in responses:
            latest.update({name: response.headers[name] for name in RATE_LIMIT_HEADERS if name in response.headers})
        # In the order of RATE_LIMIT_HEADERS, whichever answer showed each first: the line reads the same every run.
        shown = ", ".join(f"{name} {safe_value(latest[name])}" for name in RATE_LIMIT_HEADERS if name in latest)
        none = f"no rate-limit headers in {plural(len(responses), 'answer')}"
        parts = [f"headers seen: {shown}" if latest else none]
        if refused:
            parts.append(f"{plural(len(refused), 'answer')} 429 (rate limited), retried as the provider retries")
        else:
            parts.append("no 429")
        if waited := self.client.pacer.totals["waited"]:
            turn = "its turn" if waited == 1 else "their turn"
            parts.append(f"{plural(waited, 'request')} waited for {turn}, paced as the provider paces")
        self.add("rate limits", "note" if refused else "ok", "; ".join(parts))


def diagnose(
    environ: Mapping[str, str] | None = None,
    *,
    page_size: int = MAX_PAGE_SIZE,
    census: bool = True,
    on_check: Callable[[Check], None] = lambda check: None,
    stack: StackConfig | None = None,
) -> DoctorReport:
    """Run every check against the API the settings name: ``stack``'s config over ``environ``, as the provider
    resolves them.

    Every request goes through the provider's own client (``VoiceOSClient``, its retries and pacing),
    watching each try with ``on_attempt``; it sends only GETs and prints no secret (doctor_report.py).
    """
    env = os.environ if environ is None else environ
    report = DoctorReport()
    config = stack.values if stack is not None else {}

    def add(check: Check) -> None:
        report.checks.append(check)
        on_check(check)

    try:
        settings = resolve_settings(config, env)
    except ConfigurationError as exc:
        message = str(exc)
        if isinstance(exc, MissingTokenError):
            message = "no API token: export VOICEOS_API_TOKEN=<token> (it is never a command-line flag)"
            if stack is not None:
                message += f", or set it for stack {stack.name}: pulumi config set --secret voiceos:apiToken <token>"
        add(Check("settings", "FAIL", message))
        return report
    add(settings_check(settings, env, stack))
    doctor = _Doctor(settings, page_size, report, on_check)
    try:
        doctor.run(census)
    finally:
        doctor.client.close()
    return report


def run(
    page_size: int,
    census: bool,
    print_line: Callable[[str], None],
    environ: Mapping[str, str] | None = None,
    *,
    stack: str | None = None,
    cwd: Path = Path(),
) -> int:
    """The command: each check's lines as it finishes, then the verdict; 0 when ready, 1 otherwise."""
    env = os.environ if environ is None else environ
    secrets = Redactor(env.get("VOICEOS_API_TOKEN", ""))

    def show(check: Check) -> None:
        for line in check.lines():
            print_line(secrets.scrub(line))

    config = None
    if stack is not None:
        try:
            config = read_stack_config(stack, cwd, env)
        except ConfigurationError as exc:
            show(Check("settings", "FAIL", str(exc)))
            print_line(secrets.scrub(DoctorReport([Check("settings", "FAIL", "")]).verdict()))
            return 1
        secrets = Redactor(env.get("VOICEOS_API_TOKEN", ""), *(config.values[key] for key in config.secret_keys))
    report = diagnose(env, page_size=page_size, census=census, on_check=show, stack=config)
    print_line(secrets.scrub(report.verdict()))
    return 0 if report.ok else 1
