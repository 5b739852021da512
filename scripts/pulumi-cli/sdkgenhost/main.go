// Command sdkgenhost is a language host that only generates SDKs. Installed
// as pulumi-language-nodejs and pulumi-language-go in a directory of its own
// (scripts/gen-sdk puts it on PATH), it lets `pulumi package gen-sdk
// --language nodejs|go` run on machines without the upstream hosts, whose Go
// modules the reachable module proxy does not serve. It cannot run programs:
// every other call of the LanguageRuntime service answers "unimplemented".
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/voiceos/pulumi-voiceos/scripts/pulumi-cli/sdkgen"
)

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	language string
}

func (h *host) Handshake(
	context.Context, *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *host) GeneratePackage(
	_ context.Context, req *pulumirpc.GeneratePackageRequest,
) (*pulumirpc.GeneratePackageResponse, error) {
	return sdkgen.Generate(h.language, req)
}

func main() {
	name := filepath.Base(os.Args[0])
	language := strings.TrimPrefix(name, "pulumi-language-")
	if language == name {
		fmt.Fprintf(os.Stderr, "%s: install me as pulumi-language-<language>, one of %v\n", name, sdkgen.Languages)
		os.Exit(1)
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &host{language: language})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: could not start the gRPC server: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}
