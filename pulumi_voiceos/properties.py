"""The property names of a binding, in the dynamic provider's snake_case and the schema's camelCase.

A module of constants only: Pulumi programs import it through the dynamic
provider, which must not pull in pydantic or httpx (``_lazy``). A unit test
holds ``INPUT_NAMES`` to the fields of ``models.BindingInputs`` and the native
schema to ``CAMEL_CASE``.
"""

from __future__ import annotations

from typing import Final

__all__ = ["CAMEL_CASE", "FLAG_NAMES", "INPUT_NAMES", "OUTPUT_NAMES", "SECRET_OUTPUTS", "camel_case", "snake_case"]

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


def camel_case(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


CAMEL_CASE: Final = {name: camel_case(name) for name in (*OUTPUT_NAMES, "phone_number_sid", "account_sid")}
"""Every snake_case property name of a binding and its telephony, and its name in the native schema."""

_SNAKE_CASE: Final = {camel: snake for snake, camel in CAMEL_CASE.items()}


def snake_case(name: str) -> str:
    """The snake_case name of a schema property; names without one (webhook fields) are the same in both."""
    return _SNAKE_CASE.get(name, name)
