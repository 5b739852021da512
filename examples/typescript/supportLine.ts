// One number routed to an agent and a webhook. index.ts runs it as this project's program; the
// repository's tests run the same function as an Automation API inline program.
import * as pulumi from "@pulumi/pulumi";
import * as voiceos from "@voiceos/pulumi-voiceos";

export function supportLine() {
    const config = new pulumi.Config();
    const line = new voiceos.PhoneNumberBinding("support-line", {
        // Your number, in E.164 form.
        phoneNumber: "+14155550123",
        inboundAgentId: config.get("agent") ?? "agent_support",
        webhooks: [
            {
                events: ["phone_call:connection_requested"],
                url: config.get("webhookUrl") ?? "https://hooks.example.com/voiceos",
                // Set with `pulumi config set --secret webhookToken ...`: secret in state and in every output.
                headers: { Authorization: config.requireSecret("webhookToken") },
            },
        ],
        // Destroying the stack puts back what the number had before, if anything was taken over.
        onDelete: "restore",
    });
    return {
        phoneNumber: line.phoneNumber,
        agent: line.inboundAgentId,
        carrier: line.telephony.apply((telephony) => telephony?.provider),
    };
}
