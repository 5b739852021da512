"""The property names of a binding, in the dynamic provider's snake_case and the schema's camelCase.

A module of constants only: Pulumi programs import it through the dynamic
provider, which must not pull in pydantic or httpx (``_lazy``). A unit test
holds ``INPUT_NAMES`` to the fields of ``models.BindingInputs`` and the native
schema to ``CAMEL_CASE``.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "CAMEL_CASE",
    "FLAG_NAMES",
    "FLEET_ENTRY_NAMES",
    "FLEET_INPUT_NAMES",
    "FLEET_OUTPUT_NAMES",
    "INPUT_NAMES",
    "OUTPUT_NAMES",
    "SECRET_FLEET_OUTPUTS",
    "SECRET_OUTPUTS",
    "camel_case",
    "snake_case",
]

INPUT_NAMES: Final = (
    "phone_number",
    "inbound_agent_id",
    "webhooks",
    "allow_overwrite",
    "adopt_existing",
    "on_delete",
)
FLAG_NAMES: Final = ("allow_overwrite", "adopt_existing", "on_delete")
"""Inputs that steer the lifecycle and are kept in outputs as given; the rest mirror the live number."""
OUTPUT_NAMES: Final = (
    *INPUT_NAMES,
    "voiceos_id",
    "uri",
    "account_id",
    "created_at",
    "updated_at",
    "telephony",
    "telephony_auth_token",
    "previous_inbound_agent_id",
    "previous_webhooks",
)
SECRET_OUTPUTS: Final = ("telephony_auth_token", "previous_webhooks")
"""Outputs that are secret whatever the inputs: the carrier credential, and
webhooks written by someone else, whose headers may hold credentials."""


FLEET_INPUT_NAMES: Final = ("bindings", "allow_overwrite", "on_delete")
FLEET_ENTRY_NAMES: Final = ("inbound_agent_id", "webhooks", "adopt")
"""An entry of a fleet's ``bindings``: a binding's routing, and ``adopt`` (take the number over as it is)."""
FLEET_OUTPUT_NAMES: Final = (*FLEET_INPUT_NAMES, "numbers", "telephony_auth_tokens", "previous")
"""``numbers`` holds each number's ``voiceos_id`` and ``telephony``; ``previous`` what the fleet took over."""
SECRET_FLEET_OUTPUTS: Final = ("telephony_auth_tokens", "previous")
"""The carrier credentials, and bindings the fleet took over from someone else (their headers may be credentials)."""


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


CAMEL_CASE: Final = {
    name: camel_case(name)
    for name in (*OUTPUT_NAMES, *FLEET_OUTPUT_NAMES, *FLEET_ENTRY_NAMES, "phone_number_sid", "account_sid")
}
"""Every snake_case property name of a binding, a fleet and their telephony, and its name in the native schema."""

_SNAKE_CASE: Final = {camel: snake for snake, camel in CAMEL_CASE.items()}


def snake_case(name: str) -> str:
    """The snake_case name of a schema property; names without one (webhook fields) are the same in both."""
    return _SNAKE_CASE.get(name, name)
