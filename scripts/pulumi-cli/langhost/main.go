// Command pulumi-language-python is a minimal Python language host for the
// Pulumi engine.
//
// Why it exists: the upstream host lives in its own Go module
// (github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3), and the
// Go module proxy reachable from this project's machines serves no version of
// it, while it does serve pkg/v3 and sdk/v3. The engine only needs a gRPC
// LanguageRuntime that starts the program, so this host implements exactly
// that, on top of sdk/v3, and hands the real work to the SDK's own
// `pulumi-language-python-exec` script, as the upstream host does.
//
// It also generates Python SDKs (GeneratePackage, for `pulumi package gen-sdk
// --language python`) with the upstream code generator, through ../sdkgen.
//
// And it serves Python plugin packages (a directory with PulumiPlugin.yaml,
// `runtime: python`, and a __main__.py; `make plugin` builds the voiceos one)
// as the upstream host does, with sdk/v3's python/toolchain:
//   - InstallDependencies with IsPlugin (`pulumi plugin install ... --file`):
//     creates the plugin's virtualenv (the `virtualenv` option, default `venv`)
//     and pip-installs its requirements.txt, from the plugin directory;
//   - RunPlugin (the engine starting the plugin): runs `<venv>/bin/python <plugin
//     dir> <args>` and streams its output and exit code back to the engine.
//
// And it runs Python policy packs (`pulumi preview --policy-pack DIR`, a
// directory with PulumiPolicy.yaml, `runtime: python`) as the upstream host
// does: see policy.go.
//
// What it deliberately leaves out: dependency installation for programs (the
// project's own tooling owns its virtualenv), debugger attachment, type
// checkers, poetry and uv toolchains, plugins run as buildable packages
// (`pulumi.run.plugin`, for a plugin without __main__.py), program generation.
// It is for contributors and CI of pulumi-voiceos, not a replacement for the
// official host.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/voiceos/pulumi-voiceos/scripts/pulumi-cli/sdkgen"
)

// exitAfterUserActionableMessage is the exit code the exec script uses when it
// has already reported the error to the user, so the engine should not add a
// second, less useful one.
const exitAfterUserActionableMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	execScript    string
}

func (h *host) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// Plugins are resolved on demand by the engine when a resource registers; the
// dynamic provider (pulumi-resource-pulumi-python) is found on PATH.
func (h *host) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) GetProgramDependencies(
	context.Context, *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

func (h *host) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// InstallDependencies installs a plugin's dependencies (`pulumi plugin install` of a
// Python plugin package calls it with IsPlugin in the unpacked plugin directory):
// the pip toolchain of sdk/v3 creates the virtualenv that PulumiPlugin.yaml names
// (`venv` by default) and installs requirements.txt into it, with the plugin
// directory as pip's working directory. For a program it installs nothing: the
// project's own tooling owns its virtualenv.
func (h *host) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	if !req.GetIsPlugin() {
		return server.Send(&pulumirpc.InstallDependenciesResponse{
			Stdout: []byte("pulumi-voiceos language host: dependencies are managed by the project's virtualenv\n"),
		})
	}
	tc, err := pluginToolchain(req.GetInfo())
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.GetIsTerminal())
	if err != nil {
		return err
	}
	defer closer.Close()
	fmt.Fprintf(stdout, "Installing the plugin's dependencies in %s...\n", req.GetInfo().GetProgramDirectory())
	if err := tc.InstallDependencies(server.Context(), req.GetInfo().GetProgramDirectory(),
		req.GetUseLanguageVersionTools(), true /* showOutput */, stdout, stderr); err != nil {
		return err
	}
	return closer.Close()
}

// RunPlugin runs a Python plugin from its directory, as the engine asks for a
// plugin that has no executable but a PulumiPlugin.yaml with `runtime: python`:
// `<virtualenv>/bin/python <plugin dir> <args...>` (the directory's __main__.py),
// in the engine's working directory and environment. Its stdout (where the
// plugin prints its port) and stderr stream back to the engine, then its exit
// code. The process is killed when the engine ends the call (closing the plugin).
func (h *host) RunPlugin(
	req *pulumirpc.RunPluginRequest, server grpc.ServerStreamingServer[pulumirpc.RunPluginResponse],
) error {
	if req.GetKind() == string(apitype.AnalyzerPlugin) {
		return runPolicyPack(req, server)
	}
	info := req.GetInfo()
	tc, err := pluginToolchain(info)
	if err != nil {
		return err
	}
	if err := tc.ValidateVenv(server.Context()); err != nil {
		return err
	}
	dir := info.GetProgramDirectory()
	if _, err := os.Stat(filepath.Join(dir, "__main__.py")); err != nil {
		return fmt.Errorf("plugin %s is not runnable by this language host: it needs a __main__.py: %w", dir, err)
	}
	cmd, err := tc.Command(server.Context(), append([]string{dir}, req.GetArgs()...)...)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	cmd.Dir = req.GetPwd()
	cmd.Env = append(cmd.Env, req.GetEnv()...)
	cmd.Stdout, cmd.Stderr = stdout, stderr

	if err := runWithHost(cmd); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return server.Send(&pulumirpc.RunPluginResponse{
				Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(exitErr.ExitCode())},
			})
		}
		return fmt.Errorf("could not run the plugin in %s: %w", dir, err)
	}
	return closer.Close()
}

// pluginToolchain is the pip toolchain of a plugin directory: its `virtualenv`
// runtime option (relative to the plugin directory) or `venv`, as the upstream
// host defaults it for plugins, which never run on the ambient Python.
func pluginToolchain(info *pulumirpc.ProgramInfo) (toolchain.Toolchain, error) {
	if info == nil {
		return nil, errors.New("the engine sent no program info for the plugin")
	}
	virtualenv := "venv"
	if opts := info.GetOptions(); opts != nil {
		values := opts.AsMap()
		if name, ok := values["toolchain"].(string); ok && name != "" && name != "pip" {
			return nil, fmt.Errorf("toolchain %q: this language host runs Python plugins with pip only", name)
		}
		if venv, ok := values["virtualenv"].(string); ok && venv != "" {
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

func (h *host) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return sdkgen.Generate("python", req)
}

func (h *host) About(_ context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	python := pythonCommand(req.GetInfo())
	out, err := exec.Command(python, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", python, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: python,
		Version:    strings.TrimSpace(strings.TrimPrefix(string(out), "Python ")),
	}, nil
}

func (h *host) Run(_ context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	args := append([]string{h.execScript}, h.execArguments(req)...)
	cmd := exec.Command(pythonCommand(info), args...)
	if dir := info.GetProgramDirectory(); dir != "" {
		cmd.Dir = dir
	}
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{}
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, fmt.Errorf("serializing configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing configuration secret keys: %w", err)
	}
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
	)

	if err := runWithHost(cmd); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitAfterUserActionableMessage {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run %s): %v", h.execScript, err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// execArguments builds the command line that pulumi-language-python-exec
// parses; only non-empty values are passed, as the script's defaults expect.
func (h *host) execArguments(req *pulumirpc.RunRequest) []string {
	h.mu.Lock()
	engine := h.engineAddress
	h.mu.Unlock()

	var args []string
	add := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("project", req.GetProject())
	add("root_directory", req.GetInfo().GetRootDirectory())
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("organization", req.GetOrganization())

	entryPoint := req.GetInfo().GetEntryPoint()
	if entryPoint == "" {
		entryPoint = req.GetProgram()
	}
	if entryPoint == "" {
		entryPoint = "."
	}
	args = append(args, entryPoint)
	return append(args, req.GetArgs()...)
}

// pythonCommand honours the `virtualenv` runtime option of Pulumi.yaml
// (relative to the project root), then PULUMI_PYTHON_CMD, then python3: the
// same order the SDK's own provider script uses.
func pythonCommand(info *pulumirpc.ProgramInfo) string {
	if opts := info.GetOptions(); opts != nil {
		if venv, ok := opts.AsMap()["virtualenv"].(string); ok && venv != "" {
			if !filepath.IsAbs(venv) {
				venv = filepath.Join(info.GetRootDirectory(), venv)
			}
			return filepath.Join(venv, "bin", "python")
		}
	}
	if cmd := os.Getenv("PULUMI_PYTHON_CMD"); cmd != "" {
		return cmd
	}
	return "python3"
}

func findExecScript() (string, error) {
	const name = "pulumi-language-python-exec"
	if self, err := os.Executable(); err == nil {
		beside := filepath.Join(filepath.Dir(self), name)
		if _, err := os.Stat(beside); err == nil {
			return beside, nil
		}
	}
	return exec.LookPath(name)
}

func main() {
	exitWithParent()
	// The engine passes its own address as the last positional argument and
	// may put flags (such as -tracing) before it; none of them matter here.
	var positional []string
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			positional = append(positional, arg)
		}
	}
	execScript, err := findExecScript()
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: cannot find pulumi-language-python-exec: %v\n", err)
		os.Exit(1)
	}
	h := &host{execScript: execScript}
	if len(positional) > 0 {
		h.engineAddress = positional[len(positional)-1]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
}
