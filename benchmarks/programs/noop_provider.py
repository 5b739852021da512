"""Dynamic providers that do nothing: the engine's floor for dynamic resources.

They live in a module of their own rather than in ``__main__`` so that, like
``pulumi_voiceos``, they are pickled by reference into ``__provider``; a
provider pickled by value would make the floor slower than it is.

``NOOP`` echoes its inputs. ``NOOP_SAME_OUTPUTS`` also returns outputs shaped
and sized like a ``PhoneNumberBinding``'s (ids, timestamps, telephony and a
carrier token its program marks secret), made up locally: the floor for a
resource that has to keep what a binding keeps.
"""

import hashlib
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from pulumi.dynamic import CreateResult, ReadResult, ResourceProvider, UpdateResult


class NoopProvider(ResourceProvider):
    serialize_as_secret_always = False

    def outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        return props

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(props["phone_number"], self.outputs(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self.outputs(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        pass


class NoopSameOutputsProvider(NoopProvider):
    def outputs(self, props: dict[str, Any]) -> dict[str, Any]:
        number = props["phone_number"]
        digest = hashlib.sha256(number.encode()).hexdigest()
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return {
            **props,
            "allow_overwrite": False,
            "adopt_existing": False,
            "voiceos_id": "pn_" + digest[:24],
            "uri": "/phone_numbers/" + quote(number, safe=""),
            "account_id": "acct_emulator",
            "created_at": props.get("created_at") or now,
            "updated_at": now,
            "telephony": {
                "account_sid": "AC" + digest[:32],
                "phone_number_sid": "PN" + digest[32:],
                "provider": "twilio",
            },
            "telephony_auth_token": digest[:32],
        }


NOOP = NoopProvider()
NOOP_SAME_OUTPUTS = NoopSameOutputsProvider()
