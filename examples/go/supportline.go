package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
	"github.com/voiceos/pulumi-voiceos/sdk/go/voiceos"
)

// supportLine routes one number to an agent and a webhook. main.go runs it as this project's program;
// the repository's tests run the same function as an Automation API inline program.
func supportLine(ctx *pulumi.Context) error {
	conf := config.New(ctx, "")
	agent := conf.Get("agent")
	if agent == "" {
		agent = "agent_support"
	}
	webhookURL := conf.Get("webhookUrl")
	if webhookURL == "" {
		webhookURL = "https://hooks.example.com/voiceos"
	}
	line, err := voiceos.NewPhoneNumberBinding(ctx, "support-line", &voiceos.PhoneNumberBindingArgs{
		// Your number, in E.164 form.
		PhoneNumber:    pulumi.String("+14155550123"),
		InboundAgentId: pulumi.StringPtr(agent),
		Webhooks: voiceos.WebhookArray{
			voiceos.WebhookArgs{
				Events: pulumi.ToStringArray([]string{"phone_call:connection_requested"}),
				Url:    pulumi.String(webhookURL),
				// Set with `pulumi config set --secret webhookToken ...`: secret in state and in every output.
				Headers: pulumi.StringMap{"Authorization": conf.RequireSecret("webhookToken")},
			},
		},
		// Destroying the stack puts back what the number had before, if anything was taken over.
		OnDelete: voiceos.OnDeleteRestore,
	})
	if err != nil {
		return err
	}
	ctx.Export("phoneNumber", line.PhoneNumber)
	ctx.Export("agent", line.InboundAgentId)
	ctx.Export("carrier", line.Telephony.Provider())
	return nil
}
