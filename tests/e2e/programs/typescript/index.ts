// A TypeScript program on the generated SDK (@voiceos/pulumi-voiceos), run by the Automation API as an
// *inline* program: the program is the function below, run in this process, so the engine needs no
// pulumi-language-nodejs. tests/e2e/test_languages.py drives it one operation at a time:
//
//   node bin/index.js <up|preview|destroy|import> <spec.json>
//
// spec.json: {"workDir": "...", "bindings": [{"name", "phoneNumber", "inboundAgentId", "webhooks"}],
// "lookup": {"phoneNumber", "prefix"}}. A webhook's "secretHeader" names a header whose value is the
// WEBHOOK_SECRET environment variable, as a pulumi.secret; "secretConfig" maps headers to the stack config
// keys holding their values as secrets. `import` imports spec.importFile ({"resources": [...]}, as
// `voiceos-pulumi adopt --import-file` writes it) with the Automation API's stack.import, which runs
// `pulumi import --file`; "expectNoChanges" makes a preview fail on any change. The last line printed is a JSON report, in
// which secret outputs show no value. With "example": true the program is instead examples/typescript's
// supportLine (copied beside this file at install), and "config" ({key: {value, secret}}) is the stack's.
// With "docs": true it is the TypeScript block of docs/installation-configuration.md (docsSnippet.ts, written
// beside this file at install, with an export of its two values appended), its values the outputs.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, OutputMap } from "@pulumi/pulumi/automation";
import * as voiceos from "@voiceos/pulumi-voiceos";
import { supportLine } from "./supportLine";
const grpc = require("@grpc/grpc-js");
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
const langproto = require("@pulumi/pulumi/proto/language_pb");
const { LanguageServer } = require("@pulumi/pulumi/automation/server");

interface Webhook {
    events: string[];
    url: string;
    method?: string;
    headers?: Record<string, string>;
    filter?: string;
    secretHeader?: string;
    secretConfig?: Record<string, string>;
}

interface Binding {
    name: string;
    phoneNumber: string;
    inboundAgentId?: string;
    webhooks?: Webhook[];
}

interface Spec {
    workDir: string;
    bindings: Binding[];
    lookup?: { phoneNumber: string; prefix: string };
    example?: boolean;
    docs?: boolean;
    config?: Record<string, { value: string; secret: boolean }>;
    importFile?: string;
    expectNoChanges?: boolean;
}

function secretValue(): pulumi.Output<string> {
    const secret = process.env.WEBHOOK_SECRET;
    if (!secret) {
        throw new Error("a webhook names a secretHeader but WEBHOOK_SECRET is not set");
    }
    return pulumi.secret(secret);
}

// The SDK's wire marker of a secret. A binding imported by `pulumi import` records each header value as a
// secret of its own; when the program then declares its headers as secrets, the Node SDK hands back the
// whole list still wrapped once in that marker (the engine's secret around a value holding secrets).
const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

function unwrapped<T>(value: T): T {
    let found: unknown = value;
    while (found !== null && typeof found === "object" && SECRET_SIG_KEY in found) {
        found = (found as unknown as { value: unknown }).value;
    }
    return found as T;
}

function urls(hooks: voiceos.types.output.Webhook[] | undefined): string[] {
    return (unwrapped(hooks) ?? []).map((hook) => hook.url);
}

function program(spec: Spec): () => Promise<Record<string, unknown>> {
    return async () => {
        const outputs: Record<string, unknown> = {};
        for (const binding of spec.bindings) {
            const config = new pulumi.Config();
            const webhooks = binding.webhooks?.map(({ secretHeader, secretConfig, ...hook }) => ({
                ...hook,
                headers: {
                    ...(hook.headers ?? {}),
                    ...(secretHeader ? { [secretHeader]: secretValue() } : {}),
                    ...Object.fromEntries(
                        Object.entries(secretConfig ?? {}).map(([header, key]) => [header, config.requireSecret(key)]),
                    ),
                },
            }));
            const resource = new voiceos.PhoneNumberBinding(binding.name, {
                phoneNumber: binding.phoneNumber,
                inboundAgentId: binding.inboundAgentId,
                webhooks,
            });
            outputs[`${binding.name}.phoneNumber`] = resource.phoneNumber;
            outputs[`${binding.name}.inboundAgentId`] = resource.inboundAgentId;
            // The URLs are no secret; the headers beside them are.
            const webhookUrls = resource.webhooks.apply((hooks) => urls(hooks));
            outputs[`${binding.name}.webhookUrls`] = pulumi.unsecret(webhookUrls);
            outputs[`${binding.name}.telephonyAuthToken`] = resource.telephonyAuthToken;
        }
        if (spec.lookup) {
            const found = voiceos.getPhoneNumberOutput({ phoneNumber: spec.lookup.phoneNumber });
            // Everything the API says of the number but its carrier credential and header values.
            outputs["lookup.number"] = pulumi.unsecret(
                pulumi
                    .all([found, found.webhooks.apply(urls)])
                    .apply(([n, webhookUrls]) => ({
                        phoneNumber: n.phoneNumber,
                        voiceosId: n.voiceosId,
                        uri: n.uri,
                        accountId: n.accountId,
                        inboundAgentId: n.inboundAgentId ?? null,
                        createdAt: n.createdAt,
                        updatedAt: n.updatedAt,
                        telephony: n.telephony,
                        webhookUrls,
                    })),
            );
            outputs["lookup.telephonyAuthToken"] = found.telephonyAuthToken;
            const unbound = voiceos.listPhoneNumbersOutput({ prefix: spec.lookup.prefix, bound: false });
            outputs["lookup.unbound"] = unbound.phoneNumbers.apply((numbers) => numbers.map((n) => n.phoneNumber));
            const bound = voiceos.listPhoneNumbersOutput({ prefix: spec.lookup.prefix, bound: true });
            outputs["lookup.bound"] = pulumi.unsecret(
                bound.phoneNumbers.apply((numbers) => numbers.map((n) => n.phoneNumber)),
            );
        }
        return outputs;
    };
}

async function docsProgram(): Promise<Record<string, unknown>> {
    // Loaded here, inside the run: the block declares its resources when it is loaded.
    const docs = await import("./docsSnippet");
    return {
        inboundAgentId: docs.line.inboundAgentId,
        unbound: docs.unbound.phoneNumbers.apply((numbers) => numbers.map((n) => n.phoneNumber)),
    };
}

function shown(outputs: OutputMap): Record<string, { value?: unknown; secret: boolean }> {
    return Object.fromEntries(
        Object.entries(outputs).map(([key, output]) => [
            key,
            output.secret ? { secret: true } : { value: output.value, secret: false },
        ]),
    );
}

// `pulumi import` asks the project's language host which plugins the program needs, and the Automation API
// gives an inline program's host (its own in-process LanguageServer) only to up, preview, refresh and destroy
// (`--client`). Here the import gets that same server, through the engine's PULUMI_DEBUG_LANGUAGES, so it
// needs no pulumi-language-nodejs either.
async function withLanguageHost<T>(operation: () => Promise<T>): Promise<T> {
    const host = new LanguageServer(async () => ({}));
    // An attached host must answer the engine's handshake; the Automation API's has no need to otherwise.
    host.handshake = (_call: unknown, callback: (err: null, response: unknown) => void) =>
        callback(null, new langproto.LanguageHandshakeResponse());
    const server = new grpc.Server();
    server.addService(langrpc.LanguageRuntimeService, host);
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err: Error | null, p: number) =>
            err ? reject(err) : resolve(p),
        ),
    );
    process.env.PULUMI_DEBUG_LANGUAGES = `nodejs:${port}`;
    try {
        return await operation();
    } finally {
        delete process.env.PULUMI_DEBUG_LANGUAGES;
        server.forceShutdown();
    }
}

async function main(): Promise<void> {
    const [operation, specFile] = process.argv.slice(2);
    const spec: Spec = JSON.parse(fs.readFileSync(specFile, "utf8"));
    const stack = await LocalWorkspace.createOrSelectStack(
        {
            stackName: "test",
            projectName: "voiceos-e2e",
            program: spec.example ? async () => supportLine() : spec.docs ? docsProgram : program(spec),
        },
        { workDir: spec.workDir, secretsProvider: "passphrase" },
    );
    for (const [key, value] of Object.entries(spec.config ?? {})) {
        await stack.setConfig(key, value);
    }
    const printed: string[] = [];
    const onOutput = (text: string) => printed.push(text);
    let report: Record<string, unknown>;
    if (operation === "up") {
        const result = await stack.up({ onOutput });
        report = { summary: result.summary.resourceChanges, outputs: shown(result.outputs) };
    } else if (operation === "preview") {
        const result = await stack.preview({ onOutput, expectNoChanges: spec.expectNoChanges });
        report = { summary: result.changeSummary };
    } else if (operation === "import") {
        const plan = JSON.parse(fs.readFileSync(spec.importFile ?? "", "utf8"));
        const result = await withLanguageHost(() =>
            stack.import({
                resources: plan.resources,
                nameTable: plan.nameTable,
                protect: false,
                generateCode: false,
                onOutput,
            }),
        );
        report = { summary: result.summary.resourceChanges };
    } else if (operation === "destroy") {
        const result = await stack.destroy({ onOutput });
        report = { summary: result.summary.resourceChanges };
    } else {
        throw new Error(`unknown operation ${operation}: use up, preview, destroy or import`);
    }
    console.log(JSON.stringify({ ...report, output: printed.join("") }));
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
});
