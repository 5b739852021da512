// Command voiceos-e2e-go is a Go program on the generated SDK (github.com/voiceos/pulumi-voiceos/sdk/go/voiceos),
// run by the Automation API as an *inline* program: the program is the function below, run in this
// process, so the engine needs no pulumi-language-go. tests/e2e/test_languages.py drives it one
// operation at a time:
//
//	voiceos-e2e-go <up|preview|destroy> <spec.json>
//
// spec.json: {"workDir": "...", "bindings": [{"name", "phoneNumber", "inboundAgentId", "webhooks"}],
// "lookup": {"phoneNumber", "prefix"}}. A webhook's "secretHeader" names a header whose value is the
// WEBHOOK_SECRET environment variable, as a pulumi.ToSecret. The last line printed is a JSON report, in
// which secret outputs show no value. With "example": true the program is instead examples/go's
// supportLine (supportline.go, copied beside this file at install), and "config" ({key: {value, secret}})
// is the stack's.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/voiceos/pulumi-voiceos/sdk/go/voiceos"
)

type webhook struct {
	Events       []string          `json:"events"`
	URL          string            `json:"url"`
	Method       string            `json:"method,omitempty"`
	Headers      map[string]string `json:"headers,omitempty"`
	SecretHeader string            `json:"secretHeader,omitempty"`
}

type binding struct {
	Name           string    `json:"name"`
	PhoneNumber    string    `json:"phoneNumber"`
	InboundAgentID string    `json:"inboundAgentId,omitempty"`
	Webhooks       []webhook `json:"webhooks,omitempty"`
}

type spec struct {
	WorkDir  string    `json:"workDir"`
	Bindings []binding `json:"bindings"`
	Lookup   *struct {
		PhoneNumber string `json:"phoneNumber"`
		Prefix      string `json:"prefix"`
	} `json:"lookup,omitempty"`
	Example bool                        `json:"example,omitempty"`
	Config  map[string]auto.ConfigValue `json:"config,omitempty"`
}

func urls(hooks []voiceos.Webhook) []string {
	listed := []string{}
	for _, h := range hooks {
		listed = append(listed, h.Url)
	}
	return listed
}

func numbers(found []voiceos.PhoneNumber) []string {
	listed := []string{}
	for _, n := range found {
		listed = append(listed, n.PhoneNumber)
	}
	return listed
}

func webhookArgs(h webhook) (voiceos.WebhookArgs, error) {
	headers := pulumi.StringMap{}
	for name, value := range h.Headers {
		headers[name] = pulumi.String(value)
	}
	if h.SecretHeader != "" {
		secret := os.Getenv("WEBHOOK_SECRET")
		if secret == "" {
			return voiceos.WebhookArgs{}, fmt.Errorf("a webhook names a secretHeader but WEBHOOK_SECRET is not set")
		}
		headers[h.SecretHeader] = pulumi.ToSecret(pulumi.String(secret)).(pulumi.StringOutput)
	}
	hook := voiceos.WebhookArgs{Events: pulumi.ToStringArray(h.Events), Url: pulumi.String(h.URL), Headers: headers}
	if h.Method != "" {
		hook.Method = pulumi.StringPtr(h.Method)
	}
	return hook, nil
}

func program(s spec) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		for _, b := range s.Bindings {
			args := &voiceos.PhoneNumberBindingArgs{PhoneNumber: pulumi.String(b.PhoneNumber)}
			if b.InboundAgentID != "" {
				args.InboundAgentId = pulumi.StringPtr(b.InboundAgentID)
			}
			if len(b.Webhooks) > 0 {
				hooks := voiceos.WebhookArray{}
				for _, h := range b.Webhooks {
					hook, err := webhookArgs(h)
					if err != nil {
						return err
					}
					hooks = append(hooks, hook)
				}
				args.Webhooks = hooks
			}
			resource, err := voiceos.NewPhoneNumberBinding(ctx, b.Name, args)
			if err != nil {
				return err
			}
			ctx.Export(b.Name+".phoneNumber", resource.PhoneNumber)
			ctx.Export(b.Name+".inboundAgentId", resource.InboundAgentId)
			// The URLs are no secret; the headers beside them are.
			ctx.Export(b.Name+".webhookUrls", pulumi.Unsecret(resource.Webhooks.ApplyT(urls)))
			ctx.Export(b.Name+".telephonyAuthToken", resource.TelephonyAuthToken)
		}
		if s.Lookup != nil {
			found := voiceos.GetPhoneNumberOutput(ctx, voiceos.GetPhoneNumberOutputArgs{
				PhoneNumber: pulumi.String(s.Lookup.PhoneNumber),
			})
			// Everything the API says of the number but its carrier credential and header values.
			ctx.Export("lookup.number", pulumi.Unsecret(found.ApplyT(func(n voiceos.GetPhoneNumberResult) map[string]any {
				return map[string]any{
					"phoneNumber":    n.PhoneNumber,
					"voiceosId":      n.VoiceosId,
					"uri":            n.Uri,
					"accountId":      n.AccountId,
					"inboundAgentId": n.InboundAgentId,
					"createdAt":      n.CreatedAt,
					"updatedAt":      n.UpdatedAt,
					"telephony":      n.Telephony,
					"webhookUrls":    urls(n.Webhooks),
				}
			})))
			ctx.Export("lookup.telephonyAuthToken", found.TelephonyAuthToken())
			unbound := voiceos.ListPhoneNumbersOutput(ctx, voiceos.ListPhoneNumbersOutputArgs{
				Prefix: pulumi.StringPtr(s.Lookup.Prefix),
				Bound:  pulumi.BoolPtr(false),
			})
			ctx.Export("lookup.unbound", unbound.PhoneNumbers().ApplyT(numbers))
			bound := voiceos.ListPhoneNumbersOutput(ctx, voiceos.ListPhoneNumbersOutputArgs{
				Prefix: pulumi.StringPtr(s.Lookup.Prefix),
				Bound:  pulumi.BoolPtr(true),
			})
			ctx.Export("lookup.bound", pulumi.Unsecret(bound.PhoneNumbers().ApplyT(numbers)))
		}
		return nil
	}
}

// shown reports secret outputs as secret, never with their value.
func shown(outputs auto.OutputMap) map[string]map[string]any {
	result := map[string]map[string]any{}
	for key, output := range outputs {
		if output.Secret {
			result[key] = map[string]any{"secret": true}
		} else {
			result[key] = map[string]any{"secret": false, "value": output.Value}
		}
	}
	return result
}

func run(operation, specFile string) (map[string]any, error) {
	raw, err := os.ReadFile(specFile)
	if err != nil {
		return nil, err
	}
	var s spec
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", specFile, err)
	}
	ctx := context.Background()
	run := program(s)
	if s.Example {
		run = supportLine
	}
	stack, err := auto.UpsertStackInlineSource(ctx, "test", "voiceos-e2e", run,
		auto.WorkDir(s.WorkDir), auto.SecretsProvider("passphrase"))
	if err != nil {
		return nil, err
	}
	for key, value := range s.Config {
		if err := stack.SetConfig(ctx, key, value); err != nil {
			return nil, err
		}
	}
	var printed strings.Builder
	switch operation {
	case "up":
		result, err := stack.Up(ctx, optup.ProgressStreams(&printed))
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, printed.String())
		}
		return map[string]any{
			"summary": result.Summary.ResourceChanges, "outputs": shown(result.Outputs), "output": printed.String(),
		}, nil
	case "preview":
		result, err := stack.Preview(ctx, optpreview.ProgressStreams(&printed))
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, printed.String())
		}
		return map[string]any{"summary": result.ChangeSummary, "output": printed.String()}, nil
	case "destroy":
		result, err := stack.Destroy(ctx, optdestroy.ProgressStreams(&printed))
		if err != nil {
			return nil, fmt.Errorf("%w\n%s", err, printed.String())
		}
		return map[string]any{"summary": result.Summary.ResourceChanges, "output": printed.String()}, nil
	}
	return nil, fmt.Errorf("unknown operation %q: use up, preview or destroy", operation)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: voiceos-e2e-go <up|preview|destroy> <spec.json>")
		os.Exit(2)
	}
	report, err := run(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	encoded, err := json.Marshal(report)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(string(encoded))
}
