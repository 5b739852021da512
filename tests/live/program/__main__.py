"""The live acceptance's program: one PhoneNumberBinding of the dedicated number, from stack config.

``webhooks`` is a JSON list of webhooks; one with ``"secret_header": true`` also carries the secret
config ``headerValue`` as its Authorization header. It takes the number over (allow_overwrite) and
puts back what was there on destroy (on_delete="restore").
"""

import json

import pulumi

from pulumi_voiceos import PhoneNumberBinding, WebhookArgs

config = pulumi.Config()
header_value = config.get_secret("headerValue")
webhooks: list[WebhookArgs] = []
for hook in json.loads(config.require("webhooks")):
    headers = dict(hook.get("headers") or {})
    if hook.get("secret_header") and header_value is not None:
        headers["Authorization"] = header_value
    webhooks.append(
        WebhookArgs(
            events=hook["events"], url=hook["url"], method=hook["method"], headers=headers, filter=hook.get("filter")
        )
    )
binding = PhoneNumberBinding(
    "live",
    phone_number=config.require("number"),
    inbound_agent_id=config.get("agent"),
    webhooks=webhooks,
    allow_overwrite=True,
    on_delete="restore",
)
pulumi.export("inbound_agent_id", binding.inbound_agent_id)
pulumi.export("webhooks", binding.webhooks)
