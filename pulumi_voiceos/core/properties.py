"""The resources' properties, declared once: names, types, descriptions, and which are inputs, required or secret.

``native/schema.py`` builds the package schema from it, and every list of names in the package derives from it."""

from __future__ import annotations

from typing import Final

from .declaration import EnumType, EnumValue, Function, ObjectType, Property, Resource, camel_case

__all__ = [
    "BINDING",
    "CAMEL_CASE",
    "CONFIG",
    "FLAG_NAMES",
    "FLEET",
    "FLEET_BINDING",
    "FLEET_ENTRY_NAMES",
    "FLEET_INPUT_NAMES",
    "FLEET_OUTPUT_NAMES",
    "FUNCTIONS",
    "INPUT_NAMES",
    "OBJECT_TYPES",
    "ON_DELETE",
    "OUTPUT_NAMES",
    "PHONE_NUMBER",
    "RESOURCES",
    "SECRET_FLEET_OUTPUTS",
    "SECRET_OUTPUTS",
    "TELEPHONY",
    "TYPES",
    "WEBHOOK",
    "camel_case",
    "snake_case",
]

# -- the object types ----------------------------------------------------------------------

WEBHOOK: Final = ObjectType(
    "Webhook",
    "A webhook VoiceOS calls to fetch the agent at the start of a conversation.",
    (
        Property(
            "events",
            "string",
            "The events that trigger it, e.g. phone_call:connection_requested; kept sorted and without repeats.",
            container="array",
            required=True,
        ),
        Property(
            "url", "string", "An absolute http(s) URL, without credentials (put those in a header).", required=True
        ),
        Property("method", "string", "GET, POST, PUT, PATCH or DELETE; POST by default.", default="POST"),
        Property(
            "headers",
            "string",
            "Headers sent with each call. Pass values that are credentials as secrets: they stay secret in state.",
            container="map",
        ),
        Property("filter", "string", "A filter expression VoiceOS evaluates before calling."),
    ),
)

_PROVIDER: Final = Property("provider", "string", "The carrier, e.g. twilio.", required=True)
_PHONE_NUMBER_SID: Final = Property("phone_number_sid", "string", "The carrier's id of the number.")
_ACCOUNT_SID: Final = Property("account_sid", "string", "The carrier account.")
TELEPHONY: Final = ObjectType("Telephony", "The carrier behind a number.", (_PROVIDER, _PHONE_NUMBER_SID, _ACCOUNT_SID))

ON_DELETE: Final = EnumType(
    "OnDelete",
    "What destroying a binding does to its number.",
    (
        EnumValue("Unbind", "unbind", "Leave the number without agent and webhooks (the default)."),
        EnumValue(
            "Restore",
            "restore",
            "Put back the binding the number had before allowOverwrite replaced it or an import adopted it.",
        ),
    ),
)

_VOICEOS_ID: Final = Property("voiceos_id", "string", "VoiceOS's id of the number.", required=True)
_URI: Final = Property("uri", "string", "The number's URI in the VoiceOS API.")
_ACCOUNT_ID: Final = Property("account_id", "string", "The VoiceOS account that owns the number.")
_CREATED_AT: Final = Property("created_at", "string", "When the number was added to VoiceOS.")
_UPDATED_AT: Final = Property("updated_at", "string", "When the number's routing last changed.")
_AUTH_TOKEN: Final = Property("telephony_auth_token", "string", "The carrier's credential for the number.", secret=True)
_AGENT_INPUT: Final = "The agent that answers calls to the number. Leaving it out means no agent."
_WEBHOOKS_INPUT: Final = (
    "The webhooks VoiceOS calls to fetch the agent at the start of a conversation. Leaving it out means no webhooks."
)

PHONE_NUMBER: Final = ObjectType(
    "PhoneNumber",
    "A phone number of the VoiceOS account and its routing.",
    (
        Property("phone_number", "string", "The number in E.164 form, e.g. +14155550123.", required=True),
        _VOICEOS_ID,
        _URI,
        _ACCOUNT_ID,
        Property("inbound_agent_id", "string", "The agent that answers calls to the number; absent when none."),
        Property("webhooks", "Webhook", "The webhooks of the number.", container="array", required=True),
        Property("telephony", "Telephony", "The carrier behind the number (without its credential)."),
        _CREATED_AT,
        _UPDATED_AT,
    ),
)

FLEET_BINDING: Final = ObjectType(
    "FleetBinding",
    "What one number of a fleet is bound to: an agent, webhooks, or both.",
    (
        Property("inbound_agent_id", "string", _AGENT_INPUT),
        Property("webhooks", "Webhook", _WEBHOOKS_INPUT, container="array"),
        Property(
            "adopt",
            "boolean",
            "Take the number over as it is, as an import does: the first up checks that it has exactly this "
            "binding and writes nothing, and that binding is what onDelete: restore puts back.",
        ),
    ),
)

TYPES: Final[tuple[ObjectType | EnumType, ...]] = (
    WEBHOOK,
    TELEPHONY,
    ON_DELETE,
    PHONE_NUMBER,
    FLEET_BINDING,
)
"""The schema's object and enum types, in the schema's order."""
OBJECT_TYPES: Final = tuple(t for t in TYPES if isinstance(t, ObjectType))

# -- the resources -------------------------------------------------------------------------

BINDING: Final = Resource(
    "PhoneNumberBinding",
    "Binds a VoiceOS phone number to an inbound agent and webhooks. The binding owns the number's whole "
    "routing: what is declared is exactly what the number gets. A number bound to something else is not "
    "overwritten unless allowOverwrite is set, and destroying the binding unbinds the number (or restores "
    "what it had, with onDelete: restore) only if it still has what this stack set; the number itself is "
    "never released. Import an existing binding with "
    "`pulumi import voiceos:index:PhoneNumberBinding <name> <number>`.",
    (
        Property(
            "phone_number",
            "string",
            "The bound number, in E.164 form.",
            required=True,
            input="The number to bind, in E.164 form (e.g. +14155550123). Changing it replaces the binding.",
            required_input=True,
            replace_on_change=True,
        ),
        Property("inbound_agent_id", "string", "The agent the number is bound to.", input=_AGENT_INPUT),
        Property(
            "webhooks",
            "Webhook",
            "The webhooks the number is bound to.",
            container="array",
            required=True,
            input=_WEBHOOKS_INPUT,
        ),
        Property(
            "allow_overwrite",
            "boolean",
            "Whether the binding may take over a number bound to something else.",
            required=True,
            input="Take the number over even if it is bound to something else; what it had is kept in "
            "previousInboundAgentId and previousWebhooks. False by default.",
        ),
        Property(
            "adopt_existing",
            "boolean",
            "Whether the binding was imported: it took the number over only if it had exactly the declared binding.",
            input="Set by PhoneNumberBinding for import_; the native provider imports through read instead.",
            in_schema=False,
        ),
        Property(
            "on_delete",
            "OnDelete",
            "What destroying the binding does.",
            required=True,
            input="What destroying the binding does: unbind (the default) or restore.",
        ),
        _VOICEOS_ID,
        _URI,
        _ACCOUNT_ID,
        _CREATED_AT,
        _UPDATED_AT,
        Property("telephony", "Telephony", "The carrier behind the number."),
        _AUTH_TOKEN,
        Property(
            "previous_inbound_agent_id",
            "string",
            "The agent the number had before this binding took it over (allowOverwrite or import).",
        ),
        Property(
            "previous_webhooks",
            "Webhook",
            "The webhooks the number had before this binding took it over.",
            container="array",
            secret=True,
        ),
    ),
)

FLEET: Final = Resource(
    "PhoneNumberFleet",
    "Binds many VoiceOS numbers, each to its agent and webhooks, in one resource: each entry follows the "
    "rules of a PhoneNumberBinding (the overwrite guard, adoption, partial updates, hand-over, the delete "
    "policy), and a fleet of thousands deploys in one step instead of one per number. The fleet manages "
    "exactly the numbers it lists; the rest of the account is none of its business.",
    (
        Property(
            "bindings",
            "FleetBinding",
            "Each number of the fleet and what it is bound to, as declared.",
            container="map",
            required=True,
            # A fleet of thousands keeps its entries once in the state, as inputs: records say what VoiceOS has.
            output=False,
            input='Each number of the fleet, in E.164 form (e.g. "+14155550123"), and what it is bound to. '
            "The fleet manages exactly these numbers: adding one binds it (a number bound to something else "
            "is not overwritten unless allowOverwrite is set), changing one sends only the changed fields, "
            "removing one unbinds it (or restores it) only if it still has what the fleet set.",
            required_input=True,
        ),
        Property(
            "allow_overwrite",
            "boolean",
            "Whether added numbers may be taken over.",
            required=True,
            input="Take over numbers bound to something else when they are added; what each had is kept in "
            "previous. False by default.",
        ),
        Property(
            "on_delete",
            "OnDelete",
            "What removing a number does to it.",
            required=True,
            input="What removing a number (or destroying the fleet) does to it: unbind (the default) or restore.",
        ),
        Property(
            "records",
            "string",
            "Per number, what the fleet recorded of it, in one string (a fleet of thousands keeps one value per "
            "number): a print of its binding, its VoiceOS id, its carrier, the carrier's id of the number and the "
            "carrier account, separated by |, an empty field for none; e.g. "
            "a81f03c9d2e4.5b0e77a1c3f9|pn_2f1c|twilio|PN0a1b|AC9f8e. The print holds a keyed digest of the agent "
            "and of the webhooks, which tells the fleet which of them changed (drift, a partial update) and says "
            "nothing of header values.",
            container="map",
            required=True,
        ),
        Property(
            "digest_key",
            "string",
            "The key of the prints in records (random per fleet).",
            secret=True,
        ),
        Property(
            "telephony_auth_tokens", "string", "Per number, the carrier's credential.", container="map", secret=True
        ),
        Property(
            "previous",
            "FleetBinding",
            "Per number the fleet took over (allowOverwrite or adopt), what it had before: what onDelete: "
            "restore puts back.",
            container="map",
            secret=True,
        ),
    ),
)

RESOURCES: Final = (BINDING, FLEET)

FUNCTIONS: Final = (
    Function(
        "getPhoneNumber",
        "Looks up one number of the VoiceOS account and its routing (one GET).",
        (Property("phone_number", "string", "The number, in E.164 form.", required=True),),
        (*PHONE_NUMBER.properties, _AUTH_TOKEN),
    ),
    Function(
        "listPhoneNumbers",
        "Lists the numbers of the VoiceOS account (200 a request), optionally those starting with a prefix, "
        "or only bound or only unbound ones.",
        (
            Property("prefix", "string", "Only numbers that start with this, e.g. +1415."),
            Property(
                "bound",
                "boolean",
                "true: only numbers with an agent or webhooks; false: only numbers with neither; unset: all.",
            ),
        ),
        (
            Property(
                "phone_numbers", "PhoneNumber", "The numbers, in the API's order.", container="array", required=True
            ),
        ),
    ),
)

CONFIG: Final = (
    Property(
        "api_token",
        "string",
        "The VoiceOS API token (or the VOICEOS_API_TOKEN environment variable of the process that runs pulumi).",
        secret=True,
    ),
    Property(
        "api_url",
        "string",
        "The VoiceOS API base URL (or VOICEOS_API_URL); https://api.voiceos.io by default. Plain http is "
        "accepted for loopback addresses only.",
    ),
    Property("request_timeout", "number", "Seconds to wait for an answer (or VOICEOS_REQUEST_TIMEOUT); 30 by default."),
    Property(
        "max_attempts", "integer", "Tries per request, 1 meaning no retry (or VOICEOS_MAX_ATTEMPTS); 5 by default."
    ),
    Property(
        "max_retry_seconds",
        "number",
        "The longest one request may take with all its retries (or VOICEOS_MAX_RETRY_SECONDS); 120 by default.",
    ),
    Property(
        "preview_checks",
        "boolean",
        "Whether a check reads the live binding of a number a binding is about to take, so that `pulumi "
        "preview` fails on a conflict and announces a takeover (or VOICEOS_PREVIEW_CHECKS); true by default. "
        "False makes previews read nothing.",
    ),
    Property(
        "max_concurrency",
        "integer",
        "How many requests a PhoneNumberFleet sends at once (or VOICEOS_MAX_CONCURRENCY); 16 by default.",
    ),
    Property(
        "max_requests_per_second",
        "number",
        "A ceiling on the requests per second of the stack's whole run, reads included, for bindings and fleets "
        "(or VOICEOS_MAX_REQUESTS_PER_SECOND); none by default: the API's rate limit alone paces the run.",
    ),
    Property(
        "rate_limit_share",
        "number",
        "The share (more than 0, at most 1) of the rate limit the API advertises in its RateLimit headers that "
        "one run may use, to leave room for other stacks and for calls (or VOICEOS_RATE_LIMIT_SHARE); 1 by "
        "default.",
    ),
)
"""The provider's settings: the stack's ``voiceos:`` keys, and the provider resource's inputs."""

# -- the names, derived ----------------------------------------------------------------------

INPUT_NAMES: Final = tuple(p.name for p in BINDING.inputs())
OUTPUT_NAMES: Final = tuple(p.name for p in BINDING.outputs())
SECRET_OUTPUTS: Final = tuple(p.name for p in BINDING.outputs() if p.secret)
"""Outputs that are secret whatever the inputs: the carrier credential, and
webhooks written by someone else, whose headers may hold credentials."""
FLAG_NAMES: Final = ("allow_overwrite", "adopt_existing", "on_delete")
"""Inputs that steer the lifecycle and are kept in outputs as given; the rest mirror the live number."""

FLEET_INPUT_NAMES: Final = tuple(p.name for p in FLEET.inputs())
FLEET_ENTRY_NAMES: Final = tuple(p.name for p in FLEET_BINDING.properties)
"""An entry of a fleet's ``bindings``: a binding's routing, and ``adopt`` (take the number over as it is)."""
FLEET_OUTPUT_NAMES: Final = tuple(p.name for p in FLEET.outputs())
"""``records`` holds each number's binding print, ``voiceos_id`` and carrier; ``previous`` what the fleet took over.
No ``bindings``: the state keeps the entries once, as inputs."""
SECRET_FLEET_OUTPUTS: Final = tuple(p.name for p in FLEET.outputs() if p.secret)
"""The carrier credentials, bindings the fleet took over from someone else (their headers may be credentials),
and the key of the prints."""


_NAMED: Final = [p for resource in RESOURCES for p in resource.properties] + [
    p for declared in OBJECT_TYPES for p in declared.properties
]
CAMEL_CASE: Final[dict[str, str]] = {p.name: camel_case(p.name) for p in _NAMED}
"""Every snake_case property name of the resources and types, and its name in the native schema."""

_SNAKE_CASE: Final = {camel: snake for snake, camel in CAMEL_CASE.items()}


def snake_case(name: str) -> str:
    """The snake_case name of a schema property; names without one (webhook fields) are the same in both."""
    return _SNAKE_CASE.get(name, name)
