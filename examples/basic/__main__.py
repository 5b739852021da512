"""Bind one VoiceOS number to a support agent and a webhook, and export what VoiceOS reports.

Configuration (all optional; the defaults match `make demo`'s emulator):
    pulumi config set phoneNumber +14155550123
    pulumi config set agentId agent_support
    pulumi config set webhookUrl https://hooks.example.com/voiceos
    pulumi config set --secret webhookToken <token sent as the webhook's Authorization header>
and the API token, as a secret: pulumi config set --secret voiceos:apiToken <token>
"""

import pulumi

from pulumi_voiceos import PhoneNumberBinding, WebhookArgs

config = pulumi.Config()
webhook_token = config.get_secret("webhookToken") or pulumi.Output.secret("demo-webhook-token")

support_line = PhoneNumberBinding(
    "support-line",
    phone_number=config.get("phoneNumber") or "+14155550123",
    inbound_agent_id=config.get("agentId") or "agent_support",
    webhooks=[
        WebhookArgs(
            events=["phone_call:connection_requested"],
            url=config.get("webhookUrl") or "https://hooks.example.com/voiceos",
            method="POST",
            headers={"Authorization": webhook_token.apply(lambda token: f"Bearer {token}")},
        )
    ],
)

pulumi.export("phone_number", support_line.phone_number)
pulumi.export("inbound_agent_id", support_line.inbound_agent_id)
pulumi.export("webhooks", support_line.webhooks)
pulumi.export("voiceos_id", support_line.voiceos_id)
pulumi.export("account_id", support_line.account_id)
pulumi.export("telephony", support_line.telephony)
pulumi.export("telephony_auth_token", support_line.telephony_auth_token)
