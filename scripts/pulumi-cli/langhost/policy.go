package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strconv"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
)

// runPolicyPack runs a Python policy pack for the engine (RunPlugin of kind "analyzer"), as the upstream
// host does since the pulumi-analyzer-policy-python shim was retired: `python -u -m pulumi.policy
// <engine> <pack dir>` in the pack's directory, on the pack's `virtualenv` option if it has one, else
// on the ambient Python (PULUMI_PYTHON_CMD, python3), where pulumi-policy must be installed.
//
// pulumi-policy reads the stack's name and config from the environment, which the engine sends only
// over gRPC (ConfigureStack), so sdk/v3's PolicyProxy stands between them: it takes the configuration,
// the pack is started with it, and the proxy forwards every later call to the pack.
func runPolicyPack(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	ctx := server.Context()
	info := req.GetInfo()
	if info == nil {
		return errors.New("the engine sent no program info for the policy pack")
	}
	tc, err := policyToolchain(info)
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return err
	}
	dir := info.GetProgramDirectory()
	args := append(append([]string{"-u", "-m", "pulumi.policy"}, req.GetArgs()...), dir)
	cmd, err := tc.Command(ctx, args...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack's proxy: %w", err)
	}
	config, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack's configuration for the policy pack: %w", err)
	}
	cmd.Dir = dir // policy packs have always run in their own directory
	if config != nil {
		add := func(name, value string) {
			if value != "" {
				cmd.Env = append(cmd.Env, name+"="+value)
			}
		}
		add("PULUMI_ORGANIZATION", config.GetOrganization())
		add("PULUMI_PROJECT", config.GetProject())
		add("PULUMI_STACK", config.GetStack())
		add("PULUMI_DRY_RUN", strconv.FormatBool(config.GetDryRun()))
		if config.GetConfig() != nil {
			configJSON, err := json.Marshal(config.GetConfig())
			if err != nil {
				return fmt.Errorf("serializing the stack's configuration: %w", err)
			}
			add("PULUMI_CONFIG", string(configJSON))
		}
	}
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	err = runWithHostUntil(cmd, func() error { return proxy.Attach(ctx, cmd) })
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
			})
		}
		proxy.Abort(err)
		return fmt.Errorf("could not run the policy pack in %s: %w", dir, err)
	}
	return closer.Close()
}

// policyToolchain is the pip toolchain of a policy pack: its `virtualenv` option (relative to the pack)
// if it has one; unlike a plugin's, none means the ambient Python, as upstream.
func policyToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	virtualenv := ""
	if opts := info.GetOptions(); opts != nil {
		values := opts.AsMap()
		if name, ok := values["toolchain"].(string); ok && name != "" && name != "pip" {
			return nil, fmt.Errorf("toolchain %q: this language host runs Python policy packs with pip only", name)
		}
		if venv, ok := values["virtualenv"].(string); ok {
			virtualenv = venv
		}
	}
	return toolchain.ResolveToolchain(toolchain.PythonOptions{
		Root:       info.GetRootDirectory(),
		ProgramDir: info.GetProgramDirectory(),
		Virtualenv: virtualenv,
		Toolchain:  toolchain.Pip,
	})
}
