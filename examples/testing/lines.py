"""The program's logic, in a module its tests import: a support line and a sales line.

Config: ``hookUrl`` (the webhook that fetches the agent), ``hookToken`` (a
secret: its Authorization header) and ``extraLines`` (how many more lines to
declare, from +14155551000 on: the tests' "100 bindings").
"""

import pulumi

from pulumi_voiceos import PhoneNumberBinding, WebhookArgs

EVENT = "phone_call:connection_requested"
LINES = {"support": ("+14155550101", "agent_support"), "sales": ("+14155550102", "agent_sales")}


def declare() -> dict[str, PhoneNumberBinding]:
    config = pulumi.Config()
    hook_url = config.get("hookUrl") or "https://hooks.example.com/voiceos"
    token = config.get_secret("hookToken")
    headers = {"Authorization": token} if token is not None else None
    wanted = dict(LINES)
    for index in range(config.get_int("extraLines") or 0):
        wanted[f"line-{index}"] = (f"+1415555{1000 + index:04d}", "agent_support")
    lines = {}
    for name, (number, agent) in wanted.items():
        lines[name] = PhoneNumberBinding(
            name,
            phone_number=number,
            inbound_agent_id=agent,
            webhooks=[WebhookArgs(events=[EVENT], url=hook_url, headers=headers)],
        )
    pulumi.export("support.carrier", lines["support"].telephony)
    return lines
