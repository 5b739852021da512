"""End-to-end test program on the generated Python SDK of the native provider.

It reads the same config as tests/e2e/programs/bindings (the dynamic resource),
so one declaration can be deployed through both providers and compared.
``import`` is the import resource option; the other keys are as there.
"""

import pulumi
import pulumi_voiceos_native as voiceos

config = pulumi.Config()
webhook_secret = config.get_secret("webhookSecret")
components: dict[str, pulumi.ComponentResource] = {}


def component(name: str) -> pulumi.ComponentResource:
    if name not in components:
        components[name] = pulumi.ComponentResource("voiceos-e2e:index:Team", name)
    return components[name]


for spec in config.require_object("bindings"):
    secret_header = spec.get("secret_header")
    webhooks = None
    if spec.get("webhooks") is not None:
        webhooks = []
        for hook in spec["webhooks"]:
            headers = dict(hook.get("headers") or {})
            if secret_header and webhook_secret is not None:
                headers[secret_header] = webhook_secret
            webhooks.append(
                voiceos.WebhookArgs(
                    events=hook["events"],
                    url=hook["url"],
                    method=hook.get("method"),
                    headers=headers,
                    filter=hook.get("filter"),
                )
            )
    binding = voiceos.PhoneNumberBinding(
        spec["name"],
        phone_number=spec["phone_number"],
        inbound_agent_id=spec.get("inbound_agent_id"),
        webhooks=webhooks,
        allow_overwrite=spec.get("allow_overwrite"),
        on_delete=spec.get("on_delete"),
        opts=pulumi.ResourceOptions(
            import_=spec["phone_number"] if spec.get("import") else None,
            parent=component(spec["parent"]) if spec.get("parent") else None,
            aliases=[pulumi.Alias(name=old) for old in spec.get("aliases") or []] or None,
            ignore_changes=spec.get("ignore_changes"),
            retain_on_delete=spec.get("retain_on_delete"),
            delete_before_replace=spec.get("delete_before_replace"),
        ),
    )
    pulumi.export(f"{spec['name']}.phone_number", binding.phone_number)
    pulumi.export(f"{spec['name']}.inbound_agent_id", binding.inbound_agent_id)
    pulumi.export(f"{spec['name']}.webhooks", binding.webhooks)
    pulumi.export(f"{spec['name']}.telephony", binding.telephony)
    pulumi.export(f"{spec['name']}.telephony_auth_token", binding.telephony_auth_token)
