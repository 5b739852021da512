"""A small typed client for the VoiceOS phone-number API: ``VoiceOSClient``.

It handles auth, timeouts, pacing and safe retries, and turns every failure into an exception of ``errors``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote, unquote

import httpx
import pydantic

from .. import errors
from .._version import __version__
from ..core.config import Settings
from ..core.models import MAX_PAGE_SIZE, Patch, PhoneNumber, PhoneNumberPage, PhoneNumberUpdate
from .pacing import Pacer, retry_after_seconds

__all__ = ["Attempt", "RetryPolicy", "VoiceOSClient"]

logger = logging.getLogger("pulumi_voiceos")

_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_T = TypeVar("_T", bound=pydantic.BaseModel)


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before reporting a failure.

    Delays grow exponentially from ``base_delay`` up to ``max_delay`` with
    "equal jitter" (half fixed, half random) so parallel bindings hitting the
    same blip do not retry in lockstep. A ``Retry-After`` from the API wins over
    the computed delay. ``max_elapsed`` bounds the whole call: a retry that
    could not finish within it is not started.
    """

    max_attempts: int
    base_delay: float
    max_delay: float
    max_elapsed: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_attempts=settings.max_attempts,
            base_delay=settings.retry_base_delay,
            max_delay=settings.retry_max_delay,
            max_elapsed=settings.max_retry_seconds,
        )

    def backoff(self, attempt: int) -> float:
        ceiling: float = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class Attempt:
    """One try of a request, as ``VoiceOSClient(on_attempt=...)`` reports it, retries and 429s included."""

    method: str
    path: str
    """The path as sent, percent-escapes decoded (``/phone_numbers/+14155550123``), without the query."""
    seconds: float
    """From sending the request to the end of the answer's body (or to the failure)."""
    response: httpx.Response | None
    """The API's answer, its body read; None when there was none (``error`` says why)."""
    error: httpx.TransportError | None = None


def _encode_number(phone_number: str) -> str:
    # '+' must travel as %2B: some proxies and frameworks turn a raw '+' into a space.
    return quote(phone_number, safe="")


def _retry_after_seconds(response: httpx.Response) -> float | None:
    return retry_after_seconds(response.headers)


def _detail(response: httpx.Response) -> Any:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


class VoiceOSClient:
    """Typed access to ``/phone_numbers``; safe to share between threads.

    It owns the HTTP concerns: bearer auth, timeouts, percent-encoding the number, pacing, retrying what
    is safe to retry, and turning every failure into one of the exceptions in ``errors`` with a message
    that names the call and the number. It wraps one thread-safe ``httpx.Client``, shared by a provider
    process's worker threads, so connections are reused across a run.

    Everything it does is set by ``Settings`` (``config.py`` owns the defaults):
    the URL, the token, the timeouts and the retry policy.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        pacer: Pacer | None = None,
        on_attempt: Callable[[Attempt], None] | None = None,
    ) -> None:
        """``on_attempt`` is called after every try of every request, with what the API answered and how
        fast: a hook for tools that report on the API (doctor), not for changing what the client does."""
        self.pacer = pacer or Pacer()
        """Every request waits its turn here; the provider's deployment gives all its clients one."""
        self.pacer.budget(settings.max_requests_per_second, settings.rate_limit_share)
        self._retry = RetryPolicy.from_settings(settings)
        self._sleep = sleep
        self._on_attempt = on_attempt
        self._http = httpx.Client(
            base_url=settings.api_url.rstrip("/"),
            headers={
                "Authorization": f"Bearer {settings.api_token}",
                "User-Agent": f"pulumi-voiceos/{__version__} httpx/{httpx.__version__}",
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(settings.request_timeout, connect=settings.connect_timeout),
            transport=transport,
            # Enough connections for a fleet's concurrent writes, and a binding's hooks beside them.
            limits=httpx.Limits(
                max_connections=max(32, 2 * settings.max_concurrency),
                max_keepalive_connections=max(16, settings.max_concurrency),
            ),
            # Certificate verification stays on; there is deliberately no switch for it.
            verify=True,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"VoiceOSClient(base_url={str(self._http.base_url)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> VoiceOSClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- operations -------------------------------------------------------

    def get_phone_number(self, phone_number: str) -> PhoneNumber:
        """``GET /phone_numbers/{number}``; raises ``NotFoundError`` if it is not in the account."""
        response = self._request("GET", f"/phone_numbers/{_encode_number(phone_number)}", phone_number)
        return self._parse(response, PhoneNumber, f"GET /phone_numbers/{phone_number}")

    def update_phone_number(self, phone_number: str, update: Patch | PhoneNumberUpdate) -> PhoneNumber:
        """``PATCH /phone_numbers/{number}``: only the fields ``update`` names change."""
        response = self._request(
            "PATCH", f"/phone_numbers/{_encode_number(phone_number)}", phone_number, json_body=update.to_wire()
        )
        return self._parse(response, PhoneNumber, f"PATCH /phone_numbers/{phone_number}")

    def list_phone_numbers(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[PhoneNumber]:
        """Every number in the account, fetched page by page (the largest pages the API allows) as the
        caller iterates. A listing is not a snapshot: numbers added or removed meanwhile can shift
        between pages, so a number missing from it is not proof that it is gone."""
        for page in self.list_pages(page_size=page_size):
            yield from page

    def list_pages(self, *, page_size: int = MAX_PAGE_SIZE) -> Iterator[list[PhoneNumber]]:
        """The account's listing a page at a time: each page is one request, sent as the caller asks for it."""
        index = 0
        while True:
            page = self._parse(self.fetch_page(index, page_size=page_size), PhoneNumberPage, "GET /phone_numbers")
            yield page.items
            if not page.has_more or not page.items:
                return
            index += len(page.items)

    def fetch_page(self, index: int, *, page_size: int = MAX_PAGE_SIZE) -> httpx.Response:
        """``GET /phone_numbers?index=&limit=`` as the API answered it, unparsed, for a caller that checks the
        body against the contract itself (doctor). Paced and retried like every call; a 4xx or 5xx raises."""
        return self._request("GET", "/phone_numbers", None, params={"index": index, "limit": page_size})

    # -- plumbing ---------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        phone_number: str | None,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> httpx.Response:
        """One call, retried: a 429 waits its turn in the pacer for as long as the process is making
        progress (time, not attempts, bounds it); a 5xx, a timeout or a lost connection is retried
        ``max_attempts`` times within ``max_retry_seconds``."""
        operation = f"{method} {path.replace('%2B', '+')}"
        policy = self._retry
        started = time.monotonic()
        attempt = refusals = 0
        while True:
            with self.pacer.turn(operation) as slot:
                try:
                    response = self._send(method, path, json_body, params)
                except httpx.TimeoutException as exc:
                    failure: errors.VoiceOSError | httpx.Response = errors.RequestTimeoutError(
                        f"{operation}: no answer within the timeout ({type(exc).__name__})",
                        operation=operation,
                        attempts=attempt + 1,
                    )
                except httpx.TransportError as exc:
                    failure = errors.TransportError(
                        f"{operation}: could not reach the VoiceOS API at {self._http.base_url} "
                        f"({type(exc).__name__}: {exc})",
                        operation=operation,
                        attempts=attempt + 1,
                    )
                else:
                    if response.status_code == 429:
                        refusals += 1
                        retry_after = self.pacer.refused(slot, response.headers, policy.backoff(refusals))
                        budget = policy.max_elapsed - self.pacer.stalled_for(started)
                        if policy.max_attempts == 1 or (retry_after or 0.0) > budget or budget <= 0:
                            over = retry_after if retry_after is not None and retry_after > budget else None
                            raise self._status_error(response, operation, phone_number, refusals, gave_up_wait=over)
                        logger.debug("VoiceOS %s refused (429), refusal %d; waiting for its turn", operation, refusals)
                        continue
                    self.pacer.accepted(response.headers, progress=response.status_code < 500)
                    if response.status_code < 400:
                        return response
                    if response.status_code not in _RETRYABLE_STATUS:
                        raise self._status_error(response, operation, phone_number, attempt + 1)
                    failure = response
            attempt += 1
            retry_after = _retry_after_seconds(failure) if isinstance(failure, httpx.Response) else None
            delay = retry_after if retry_after is not None else policy.backoff(attempt)
            elapsed = time.monotonic() - started
            if attempt >= policy.max_attempts or elapsed + delay > policy.max_elapsed:
                if isinstance(failure, httpx.Response):
                    raise self._status_error(failure, operation, phone_number, attempt, gave_up_wait=retry_after)
                if attempt > 1:
                    failure.args = (f"{failure.args[0]}; gave up after {attempt} attempts",)
                raise failure
            reason = f"{failure.status_code}" if isinstance(failure, httpx.Response) else type(failure).__name__
            # One line per retry would flood a fleet's output; the debug log has them.
            logger.debug(
                "VoiceOS %s failed (%s), attempt %d of %d; retrying in %.2fs",
                operation,
                reason,
                attempt,
                policy.max_attempts,
                delay,
            )
            self._sleep(delay)

    def _send(self, method: str, path: str, json_body: Any, params: dict[str, Any] | None) -> httpx.Response:
        """One try, reported to ``on_attempt``."""
        if self._on_attempt is None:
            return self._http.request(method, path, json=json_body, params=params)
        sent = time.perf_counter()
        try:
            response = self._http.request(method, path, json=json_body, params=params)
        except httpx.TransportError as exc:
            self._on_attempt(Attempt(method, unquote(path), time.perf_counter() - sent, None, exc))
            raise
        self._on_attempt(Attempt(method, unquote(path), time.perf_counter() - sent, response))
        return response

    def _status_error(
        self,
        response: httpx.Response,
        operation: str,
        phone_number: str | None,
        attempts: int,
        gave_up_wait: float | None = None,
    ) -> errors.APIError:
        status = response.status_code
        detail = _detail(response)
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        reason = response.reason_phrase or "error"
        common: dict[str, Any] = {"status_code": status, "operation": operation, "detail": detail, "attempts": attempts}
        if status in (401, 403):
            return errors.AuthenticationError(
                f"{operation}: the VoiceOS API refused the token ({status} {reason}). Check the token: "
                "`pulumi config set --secret voiceos:apiToken <token>` or VOICEOS_API_TOKEN, "
                "and that it belongs to the account that owns the number.",
                **common,
            )
        if status == 404:
            what = f"phone number {phone_number}" if phone_number else "resource"
            said = f" (the API said: {detail})" if isinstance(detail, str) else ""
            return errors.NotFoundError(
                f"{operation}: {what} or the agent it names is not in the VoiceOS account (404){said}. "
                "Import the number into VoiceOS first, or check inbound_agent_id.",
                **common,
            )
        if status == 422:
            return errors.RequestValidationError(
                f"{operation}: the VoiceOS API rejected the request (422): {errors.format_validation_detail(detail)}",
                **common,
            )
        if status == 429:
            wait = f"; it asked to wait {gave_up_wait:.0f}s more than the retry budget allows" if gave_up_wait else ""
            stalled = "" if wait else f"; no request succeeded for {self._retry.max_elapsed:g}s"
            return errors.RateLimitError(
                f"{operation}: rate limited by the VoiceOS API (429){tries}{wait or stalled}. "
                "Raise voiceos:maxRetrySeconds (how long a request may wait while the API refuses every "
                "request), or send fewer at once: `pulumi up --parallel` for bindings, voiceos:maxConcurrency "
                "for a fleet.",
                **common,
            )
        if status >= 500:
            return errors.ServerError(
                f"{operation}: the VoiceOS API failed with {status} {reason}{tries}. "
                "This is on the API side; run the command again later.",
                **common,
            )
        said = f": {errors.format_validation_detail(detail)}" if detail else ""
        return errors.APIError(f"{operation}: unexpected {status} {reason}{said}", **common)

    @staticmethod
    def _parse(response: httpx.Response, model: type[_T], operation: str) -> _T:
        content_type = response.headers.get("Content-Type", "unknown content type")
        try:
            # Parsed and validated in one pass by pydantic's own JSON parser: a fleet parses thousands.
            return model.model_validate_json(response.content)
        except pydantic.ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors(include_input=False)):
                raise errors.UnexpectedResponseError(
                    f"{operation}: the API answered {response.status_code} with a body that is not JSON "
                    f"({content_type}, {len(response.content)} bytes); check that voiceos:apiUrl / "
                    "VOICEOS_API_URL points at the VoiceOS API and not at a proxy or web page",
                    status_code=response.status_code,
                    operation=operation,
                ) from None
            problems = "; ".join(
                f"{errors.property_path(e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False)
            )
            raise errors.UnexpectedResponseError(
                f"{operation}: the API answered {response.status_code} with an object that does not "
                f"match the VoiceOS contract ({problems})",
                status_code=response.status_code,
                operation=operation,
            ) from None
