"""``Deployment``: what the hooks of one deployment share, passed to every engine function by its adapter:
the claims (a delete of a number another resource takes is a hand-over), the imports, one client and
listing of the account per settings, the pacer, warnings said once (docs/architecture.md)."""

from __future__ import annotations

import logging
import threading
import time

import httpx

from ..api import snapshot
from ..api.client import VoiceOSClient
from ..api.pacing import Pacer
from ..core import lifecycle
from ..core.config import Settings
from ..core.models import Binding

__all__ = ["Deployment"]

logger = logging.getLogger("pulumi_voiceos")


class Deployment:
    """One deployment (a preview, an update, a destroy): the engine starts one provider process for it, and
    each adapter makes one ``Deployment`` per provider process; a test or a user's mocks construct their own.

    :param transport: the HTTP transport of the deployment's clients: None for the network; the testing
        package's in-memory account (``VoiceOSMocks``) for unit tests.
    """

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.claims = lifecycle.Claims()
        self.imported = lifecycle.Claims()
        self.last_check = time.monotonic()
        """When a check of this deployment last ran (``time.monotonic()``)."""
        self.transport = transport
        self.pacer = Pacer()
        """The process's one pacer: every client of the deployment waits its turn in it."""
        self._lock = threading.Lock()
        self._clients: dict[Settings, tuple[VoiceOSClient, snapshot.AccountSnapshot]] = {}
        self._warned: set[str] = set()
        self._taken: set[str] = set()
        self._memory: dict[str, Binding] = {}

    def connect(self, settings: Settings) -> tuple[VoiceOSClient, snapshot.AccountSnapshot]:
        with self._lock:
            found = self._clients.get(settings)
            if found is None:
                client = VoiceOSClient(settings, transport=self.transport, pacer=self.pacer)
                found = self._clients[settings] = (client, snapshot.AccountSnapshot(client.list_phone_numbers))
            return found

    def client(self, settings: Settings) -> VoiceOSClient:
        return self.connect(settings)[0]

    def take(self, phone_number: str, previous: Binding | None) -> Binding | None:
        """A resource of this deployment takes the number (a create, a fleet's new entry): its restore memory.

        When the resource that held the number let go of it first in this deployment, what that one
        would have restored is handed on; otherwise ``previous`` (what the taker found) stands."""
        with self._lock:
            self._taken.add(phone_number)
            return self._memory.pop(phone_number, previous)

    def hand_over(self, phone_number: str, previous: Binding | None) -> bool:
        """A resource lets go of a number another one declares; False if its restore memory is lost.

        It is lost when the taker was created first: its state is written, and the engine gives
        no later hook in which to record it."""
        with self._lock:
            if previous is None:
                return True
            if phone_number in self._taken:
                return False
            self._memory[phone_number] = previous
            return True

    def checked(self) -> None:
        """A check ran just now."""
        self.last_check = time.monotonic()

    def warn_once(self, topic: str, message: str) -> None:
        """Log ``message`` the first time ``topic`` comes up in this deployment, and never again."""
        with self._lock:
            if topic in self._warned:
                return
            self._warned.add(topic)
        logger.warning("%s", message)

    def unchecked(self, reason: str) -> None:
        """Say, once, that a preview could not check numbers against the account, and why."""
        self.warn_once(
            "unchecked",
            f"could not check the numbers of new bindings against the VoiceOS account: {reason}; `up` checks "
            "each number before writing to it (set voiceos:previewChecks to false to skip these reads)",
        )
